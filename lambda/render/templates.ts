/**
 * Per-type templates: what an alert says for each callback type, built from that type's data with the
 * readers of fields.ts. A template only reads fields that are not personal data. The catalogue that maps
 * type names to templates and severities is catalogue.ts. Pure: no AWS, no I/O.
 */
import { amount, bool, bullets, date, inline, money, parts, phone, prop, record, text } from './fields';
import { VALUE_MAX } from './text';

/** What a type renderer sees: its data, both shapes accepted, and the envelope's money fields. */
export interface Data {
  /** A type-specific field: `item[type][type][key]` (nested shape) wins over `item[type][key]` (flat). */
  get(key: string): unknown;
  readonly currency: unknown;
}

/** One "Label: value" line of the email; skipped when the value is undefined. */
export type Fact = readonly [label: string, value: string | undefined];

/** What a template says; renderAlert (index.ts) caps, encodes and assembles it per channel. */
export interface Body {
  /** A few constant words for subject and SMS, e.g. "balance low". */
  readonly what: string;
  /** The key numbers, short, e.g. "4.87 USD": in parentheses in the subject and the SMS. */
  readonly detail?: string;
  /** One or two plain sentences opening the email. */
  readonly summary: string;
  readonly facts?: readonly Fact[];
  /** Extra lines, e.g. a bullet list of subscriptions. */
  readonly lines?: readonly string[];
  readonly action?: string;
  /** A shorter action for the SMS; defaults to none. */
  readonly smsAction?: string;
}

/** A template: reads hostile data, never throws by design (renderAlert still catches). */
export type Renderer = (data: Data) => Body;

/** The action for alerts about money running out. */
export const CONSOLE_TOP_UP = 'Top up the balance in the control panel before calls stop.';

/** A template with constant words, for types whose data shows nothing worth reading. */
export const fixed =
  (what: string, summary: string, action?: string, smsAction?: string): Renderer =>
  () => ({ what, summary, action, smsAction });

/** A payment credited `via` a channel: amount (in the item's currency), transaction id and type. */
export const payment =
  (via: string): Renderer =>
  (d) => {
    const received = amount(d.get('amount'), d.currency);
    return {
      what: 'payment received',
      detail: received,
      summary: `A payment${received ? ` of ${received}` : ''} (${via}) was credited to the account.`,
      facts: [
        ['Amount', received ?? 'unknown'],
        ['Transaction id', text(d.get('transaction_id'))],
        ['Transaction type', text(d.get('transaction_type'))],
      ],
    };
  };

/** A rented number's subscription is named after the number: shown as a phone number. */
function subscriptionName(item: unknown, max = VALUE_MAX): string | undefined {
  return prop(item, 'type') === 'phone_number' ? phone(prop(item, 'name')) : text(prop(item, 'name'), max);
}

function subscriptionEntry(item: unknown, currency: unknown): string | undefined {
  if (record(item) === undefined) return text(item);
  const cost = prop(item, 'cost');
  const renewal = prop(item, 'next_renewal');
  const extra = parts(
    text(prop(item, 'type'), 40),
    cost !== undefined && `cost ${money(cost, currency)}`,
    renewal !== undefined && `next renewal ${date(renewal) ?? 'unknown'}`,
    text(prop(item, 'details')),
  );
  const name = subscriptionName(item) ?? 'unnamed subscription';
  return extra === '' ? name : `${name} (${extra})`;
}

/** Subscriptions (`subscriptions`: rented numbers and the like) as a capped bullet list; the first name is the detail. */
export const subscriptions =
  (what: string, summary: string, action?: string, smsAction?: string): Renderer =>
  (d) => {
    const entries = bullets(
      d.get('subscriptions'),
      (item) => subscriptionEntry(item, d.currency),
      (item) => (record(item) ? subscriptionName(item, 40) : text(item, 40)),
    );
    return { what, detail: entries.detail, summary, lines: ['Subscriptions:', ...entries.lines], action, smsAction };
  };

/** SIP registrations (`sip_registrations`) by id and status code; the email also shows the error message. */
export const sipRegistrations =
  (what: string, summary: string, action?: string, smsAction?: string): Renderer =>
  (d) => {
    const registration = (item: unknown, withError: boolean) =>
      record(item) === undefined
        ? text(item) && `id ${text(item)}`
        : parts(
            text(prop(item, 'sip_registration_id')) && `id ${text(prop(item, 'sip_registration_id'))}`,
            text(prop(item, 'status_code')) && `status ${text(prop(item, 'status_code'))}`,
            withError && text(prop(item, 'error_message')),
          ) || undefined;
    const entries = bullets(
      d.get('sip_registrations'),
      (item) => registration(item, true),
      (item) => registration(item, false),
    );
    return { what, detail: entries.detail, summary, lines: ['SIP registrations:', ...entries.lines], action, smsAction };
  };

/** Push certificates (`certificates`) by file name, credential id, expiry and applications; `expired` picks the tense. */
export const certificates =
  (what: string, summary: string, expired = false): Renderer =>
  (d) => {
    const entries = bullets(
      d.get('certificates'),
      (item) => {
        if (record(item) === undefined) return text(item);
        const expires = prop(item, 'expiration_date');
        const apps = inline(prop(item, 'applications'));
        const extra = parts(
          text(prop(item, 'push_credential_id')) && `credential ${text(prop(item, 'push_credential_id'))}`,
          expires !== undefined && `${expired ? 'expired' : 'expires'} ${date(expires) ?? 'unknown'}`,
          apps && `applications ${apps}`,
        );
        const name = text(prop(item, 'cert_file_name')) ?? 'certificate';
        return extra === '' ? name : `${name} (${extra})`;
      },
      (item) => (record(item) ? text(prop(item, 'cert_file_name'), 40) : text(item, 40)),
    );
    return {
      what,
      detail: entries.detail,
      summary,
      lines: ['Certificates:', ...entries.lines],
      action: 'Upload a renewed push certificate for each application in the control panel.',
      smsAction: 'Renew push certificates.',
    };
  };

/** A verification document by id and statuses; a comment is only announced, as it may hold personal data. */
export const document =
  (what: string, summary: string, action?: string, statusInSubject = false): Renderer =>
  (d) => {
    const status = text(d.get('account_document_status'), 40);
    return {
      what,
      // "document verified (VERIFIED)" says it twice: only a generic "status changed" needs the status.
      detail: statusInSubject ? status : undefined,
      summary,
      facts: [
        ['Document id', text(d.get('account_document_id'))],
        ['Previous status', text(d.get('previous_account_document_status'), 40)],
        ['Status', status],
        ['Legal status', text(d.get('legal_status'), 40)],
        ['Updated at', date(d.get('update_time'))],
      ],
      // The reviewer's comment is free text that may name people: point to it instead of copying it.
      lines: text(d.get('comment')) ? ['Voximplant attached a comment: read it in the control panel.'] : [],
      action,
    };
  };

/** A proof-of-address by id and status; its name may be a street address, so it is never shown. */
export const regulationAddress =
  (what: string, summary: string, action?: string, smsAction?: string): Renderer =>
  (d) => {
    const status = text(d.get('regulation_address_status'), 40);
    // The address name may be a street address (personal data): identify the address by id only.
    return {
      what,
      detail: status,
      summary,
      facts: [
        ['Address id', text(d.get('regulation_address_id'))],
        ['Status', status],
      ],
      action,
      smsAction,
    };
  };

/** An ordered history report `name` by id: ready, or failed when `success` is false. */
export const report =
  (name: string): Renderer =>
  (d) => {
    const failed = bool(d.get('success')) === false;
    return {
      what: failed ? `${name} failed` : `${name} ready`,
      detail: text(d.get('history_report_id')) && `id ${text(d.get('history_report_id'))}`,
      summary: failed ? `The ${name} you ordered could not be produced.` : `The ${name} you ordered is ready.`,
      facts: [
        ['Report id', text(d.get('history_report_id'))],
        ['Result', failed ? 'failed' : 'ready'],
        ['Ordered at', date(d.get('order_date'))],
      ],
      action: failed
        ? 'Order the report again in the control panel or through the API.'
        : 'Download it from the control panel or through the API.',
    };
  };

/** An invoice by id, dates and amounts; the invoice's own currency wins over the account's. */
export const invoice: Renderer = (d) => {
  const currency = d.get('currency') ?? d.currency;
  const total = amount(d.get('amount'), currency);
  return {
    what: 'invoice received',
    detail: total,
    summary: 'A new invoice was issued for the account.',
    facts: [
      ['Invoice id', text(d.get('invoice_id'))],
      ['Invoice date', date(d.get('invoice_date'))],
      ['Received', date(d.get('receival_date'))],
      ['Amount', total ?? 'unknown'],
      ['Tax', d.get('tax_amount') === undefined ? undefined : money(d.get('tax_amount'), currency)],
    ],
    action: 'Review the invoice in the control panel.',
  };
};

/** The balance fell below the minimum: reminder and credit-limit variants, with the top-up action. */
export const minBalance: Renderer = (d) => {
  const credit = bool(d.get('is_min_credit')) === true;
  const repeated = bool(d.get('is_repeated')) === true;
  const what = credit ? 'credit limit reached' : repeated ? 'balance still low' : 'balance low';
  return {
    what,
    summary: [
      credit
        ? 'The account has reached its credit limit: calls and services stop when the credit runs out.'
        : 'The account balance has fallen below the notification threshold.',
      repeated ? 'This is a reminder: the balance is still low.' : '',
    ]
      .filter(Boolean)
      .join(' '),
    // What is not the case is left out: the summary already says "credit limit" or "reminder" when it is.
    action: CONSOLE_TOP_UP,
    smsAction: 'Top up now before calls stop.',
  };
};

/** The next charge needs more money than the balance holds: the amounts required and missing. */
export const nextCharge: Renderer = (d) => {
  const required = amount(d.get('required_money'), d.currency);
  const missing = amount(d.get('insufficient_funds_amount'), d.currency);
  return {
    what: 'next charge cannot be paid',
    detail: parts(required && `needs ${required}`, missing && `short ${missing}`) || undefined,
    summary: 'Subscriptions renew in 3 days and the balance does not cover the charge.',
    facts: [
      ['Required for renewal', required ?? 'unknown'],
      ['Missing', missing ?? 'unknown'],
    ],
    action: 'Top up at least the missing amount in the control panel within 3 days, or the subscriptions will be frozen.',
    smsAction: 'Top up within 3 days.',
  };
};

/** Verified caller IDs that expire soon, shown as phone numbers, with the expiry date. */
export const callerIds: Renderer = (d) => {
  const expires = date(d.get('expiration_date'));
  const ids = bullets(d.get('callerids'), phone);
  return {
    what: 'caller ID expiring',
    detail: expires && `on ${expires}`,
    summary: 'Verified caller IDs are about to expire; calls can no longer show them after that.',
    facts: [['Expires', expires]],
    lines: ['Caller IDs:', ...ids.lines],
    action: 'Verify the caller IDs again in the control panel before they expire.',
    smsAction: 'Re-verify caller IDs.',
  };
};

/** The document verification agreement expires: the date and the days left. */
export const agreementExpiring: Renderer = (d) => {
  const expires = date(d.get('expiration_date'));
  const days = text(d.get('until_expiration'), 10);
  return {
    what: 'verification expiring',
    detail: days ? `in ${days} days` : expires,
    summary: "The account's document verification period ends soon.",
    facts: [
      ['Expires', expires],
      ['Days left', days],
    ],
    action: 'Upload up-to-date verification documents in the control panel.',
    smsAction: 'Upload documents.',
  };
};

/** The document verification agreement expired: the documents concerned, by id. */
export const agreementExpired: Renderer = (d) => {
  const ids = bullets(d.get('document_ids'), (item) => text(item, 40));
  return {
    what: 'verification expired',
    detail: ids.detail && `document ${ids.detail}`,
    summary: 'The document verification period has expired; numbers that need verification may be detached.',
    lines: ['Documents:', ...ids.lines],
    action: 'Upload new verification documents in the control panel.',
    smsAction: 'Upload documents now.',
  };
};

/** The verification agreement is restored: the document id and the new expiry date. */
export const agreementRestored: Renderer = (d) => ({
  what: 'verification restored',
  summary: 'The document verification status was restored.',
  facts: [
    ['Document id', text(d.get('document_id'))],
    ['Expires', date(d.get('expiration_date'))],
  ],
});

/** A call transcription is ready: the call session id and cost, never the recording or transcript URLs. */
export const transcription: Renderer = (d) => ({
  what: 'transcription ready',
  detail: text(d.get('call_session_history_id')) && `session ${text(d.get('call_session_history_id'))}`,
  // The record and transcription URLs open a conversation: keep them out of mail, point to the panel.
  summary: 'A call transcription is ready. Links to the recording are not included; open the call history in the control panel.',
  facts: [
    ['Call session id', text(d.get('call_session_history_id'))],
    ['Cost', d.get('transcription_cost') === undefined ? undefined : money(d.get('transcription_cost'), d.currency)],
  ],
});

/** An inbound SMS arrived: the receiving number only, never the sender or the text. */
export const smsInbound: Renderer = (d) => {
  // Only the receiving number is the customer's own; the sender and the text belong to someone else.
  const to = phone(d.get('destination_number'));
  return {
    what: 'inbound SMS',
    detail: to && `to ${to}`,
    summary: "An inbound SMS arrived on your Voximplant number. The sender and the text are not included, to protect the sender's privacy.",
    facts: [['Your number', to]],
  };
};

/** A rented number's activation status changed: the number and the new status. */
export const numberActivation: Renderer = (d) => {
  const status = text(d.get('activation_status'), 40);
  return {
    what: 'number activation changed',
    detail: status,
    summary: 'The activation status of a rented phone number changed.',
    facts: [
      ['Phone number', phone(d.get('phone_number'))],
      ['Activation status', status],
    ],
  };
};

/** A2P SMS sending was enabled or disabled (`a2p_enabled`). */
export const a2p: Renderer = (d) => {
  const enabled = bool(d.get('a2p_enabled'));
  const state = enabled === undefined ? 'status changed' : enabled ? 'enabled' : 'disabled';
  return { what: `A2P SMS ${state}`, summary: `A2P SMS sending is ${state} for the account.` };
};

/** Cancelling a batch of tasks completed: the batch id and how many tasks were cancelled. */
export const batchCancelled: Renderer = (d) => ({
  what: 'batch cancelled',
  detail: text(d.get('cancelled_tasks_number')) && `${text(d.get('cancelled_tasks_number'))} tasks`,
  summary: 'Cancelling a batch of tasks has completed.',
  facts: [
    ['Batch id', text(d.get('batch_id'))],
    ['Cancelled tasks', text(d.get('cancelled_tasks_number'))],
  ],
});

/** The balance changed; the balance itself is shown by renderAlert (catalogue: balance 'always'). */
export const balanceChanged: Renderer = () => ({ what: 'balance changed', summary: 'The account balance changed.' });

/** Unknown types: the data's shape is unknown too, so none of it is shown (it may be personal). */
export const unknownType =
  (name: string, why: string): Renderer =>
  () => ({
    what: `callback ${name}`,
    summary: `${why} Its data is not shown here; check the control panel.`,
  });
