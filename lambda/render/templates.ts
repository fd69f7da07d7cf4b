/**
 * Per-type templates: what an alert says for each callback type, built from that type's data with the
 * readers of fields.ts. A template only reads fields that are not personal data, and reads them once for
 * every language: its words come from the alert language's message catalogue (i18n/). The catalogue that
 * maps type names to templates and severities is catalogue.ts. Pure: no AWS, no I/O.
 */
import { amount, bool, bullets, date, inline, money, parts, phone, prop, record, text } from './fields';
import type { Messages, PaymentType, ReportType, WordedType } from './i18n/messages';
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

/** A template: reads hostile data, takes its words from `m`, never throws by design (renderAlert still catches). */
export type Renderer = (data: Data, m: Messages) => Body;

/** A template with constant words (`m.types[key]`), for types whose data shows nothing worth reading. */
export const fixed =
  (key: WordedType): Renderer =>
  (_, m) => {
    const { what, summary, action, smsAction } = m.types[key];
    return { what, summary, action, smsAction };
  };

/** A payment credited by the channel of `type`: amount (in the item's currency), transaction id and type. */
export const payment =
  (type: PaymentType): Renderer =>
  (d, m) => {
    const received = amount(d.get('amount'), d.currency, m.format);
    return {
      what: m.payment.what,
      detail: received,
      summary: m.payment.summary(received, m.payment.via[type]),
      facts: [
        [m.labels.amount, received ?? m.format.unknown],
        [m.labels.transactionId, text(d.get('transaction_id'))],
        [m.labels.transactionType, text(d.get('transaction_type'))],
      ],
    };
  };

/** A rented number's subscription is named after the number: shown as a phone number. */
function subscriptionName(item: unknown, max = VALUE_MAX): string | undefined {
  return prop(item, 'type') === 'phone_number' ? phone(prop(item, 'name')) : text(prop(item, 'name'), max);
}

function subscriptionEntry(item: unknown, currency: unknown, m: Messages): string | undefined {
  if (record(item) === undefined) return text(item);
  const cost = prop(item, 'cost');
  const renewal = prop(item, 'next_renewal');
  const extra = parts(
    text(prop(item, 'type'), 40),
    cost !== undefined && m.subscriptions.cost(money(cost, currency, m.format)),
    renewal !== undefined && m.subscriptions.nextRenewal(date(renewal, m.format) ?? m.format.unknown),
    text(prop(item, 'details')),
  );
  const name = subscriptionName(item) ?? m.subscriptions.unnamed;
  return extra === '' ? name : `${name} (${extra})`;
}

/** Subscriptions (`subscriptions`: rented numbers and the like) as a capped bullet list; the first name is the detail. */
export const subscriptions =
  (key: WordedType): Renderer =>
  (d, m) => {
    const entries = bullets(
      d.get('subscriptions'),
      m.format,
      (item) => subscriptionEntry(item, d.currency, m),
      (item) => (record(item) ? subscriptionName(item, 40) : text(item, 40)),
    );
    return { ...m.types[key], detail: entries.detail, lines: [m.subscriptions.heading, ...entries.lines] };
  };

/** SIP registrations (`sip_registrations`) by id and status code; the email also shows the error message. */
export const sipRegistrations =
  (key: WordedType): Renderer =>
  (d, m) => {
    const registration = (item: unknown, withError: boolean) =>
      record(item) === undefined
        ? text(item) && m.format.id(text(item)!)
        : parts(
            text(prop(item, 'sip_registration_id')) && m.format.id(text(prop(item, 'sip_registration_id'))!),
            text(prop(item, 'status_code')) && m.sip.status(text(prop(item, 'status_code'))!),
            withError && text(prop(item, 'error_message')),
          ) || undefined;
    const entries = bullets(
      d.get('sip_registrations'),
      m.format,
      (item) => registration(item, true),
      (item) => registration(item, false),
    );
    return { ...m.types[key], detail: entries.detail, lines: [m.sip.heading, ...entries.lines] };
  };

/** Push certificates (`certificates`) by file name, credential id, expiry and applications; `expired` picks the tense. */
export const certificates =
  (key: WordedType, expired = false): Renderer =>
  (d, m) => {
    const words = m.certificates;
    const entries = bullets(
      d.get('certificates'),
      m.format,
      (item) => {
        if (record(item) === undefined) return text(item);
        const expires = prop(item, 'expiration_date');
        const apps = inline(prop(item, 'applications'), m.format);
        const extra = parts(
          text(prop(item, 'push_credential_id')) && words.credential(text(prop(item, 'push_credential_id'))!),
          expires !== undefined && (expired ? words.expired : words.expires)(date(expires, m.format) ?? m.format.unknown),
          apps && words.applications(apps),
        );
        const name = text(prop(item, 'cert_file_name')) ?? words.unnamed;
        return extra === '' ? name : `${name} (${extra})`;
      },
      (item) => (record(item) ? text(prop(item, 'cert_file_name'), 40) : text(item, 40)),
    );
    return {
      what: m.types[key].what,
      detail: entries.detail,
      summary: m.types[key].summary,
      lines: [words.heading, ...entries.lines],
      action: words.action,
      smsAction: words.smsAction,
    };
  };

/** A verification document by id and statuses; a comment is only announced, as it may hold personal data. */
export const document =
  (key: WordedType, statusInSubject = false): Renderer =>
  (d, m) => {
    const status = text(d.get('account_document_status'), 40);
    const { what, summary, action } = m.types[key];
    return {
      what,
      // "document verified (VERIFIED)" says it twice: only a generic "status changed" needs the status.
      detail: statusInSubject ? status : undefined,
      summary,
      facts: [
        [m.labels.documentId, text(d.get('account_document_id'))],
        [m.labels.previousStatus, text(d.get('previous_account_document_status'), 40)],
        [m.labels.status, status],
        [m.labels.legalStatus, text(d.get('legal_status'), 40)],
        [m.labels.updatedAt, date(d.get('update_time'), m.format)],
      ],
      // The reviewer's comment is free text that may name people: point to it instead of copying it.
      lines: text(d.get('comment')) ? [m.document.comment] : [],
      action,
    };
  };

/** A proof-of-address by id and status; its name may be a street address, so it is never shown. */
export const regulationAddress =
  (key: WordedType): Renderer =>
  (d, m) => {
    const status = text(d.get('regulation_address_status'), 40);
    const { what, summary, action, smsAction } = m.types[key];
    // The address name may be a street address (personal data): identify the address by id only.
    return {
      what,
      detail: status,
      summary,
      facts: [
        [m.labels.addressId, text(d.get('regulation_address_id'))],
        [m.labels.status, status],
      ],
      action,
      smsAction,
    };
  };

/** An ordered history report of `type` by id: ready, or failed when `success` is false. */
export const report =
  (type: ReportType): Renderer =>
  (d, m) => {
    const name = m.report.names[type];
    const outcome = bool(d.get('success')) === false ? m.report.failed : m.report.ready;
    return {
      what: outcome.what(name),
      detail: text(d.get('history_report_id')) && m.format.id(text(d.get('history_report_id'))!),
      summary: outcome.summary(name),
      facts: [
        [m.labels.reportId, text(d.get('history_report_id'))],
        [m.labels.result, outcome.result],
        [m.labels.orderedAt, date(d.get('order_date'), m.format)],
      ],
      action: outcome.action,
    };
  };

/** An invoice by id, dates and amounts; the invoice's own currency wins over the account's. */
export const invoice: Renderer = (d, m) => {
  const currency = d.get('currency') ?? d.currency;
  const total = amount(d.get('amount'), currency, m.format);
  return {
    what: m.invoice.what,
    detail: total,
    summary: m.invoice.summary,
    facts: [
      [m.labels.invoiceId, text(d.get('invoice_id'))],
      [m.labels.invoiceDate, date(d.get('invoice_date'), m.format)],
      [m.labels.received, date(d.get('receival_date'), m.format)],
      [m.labels.amount, total ?? m.format.unknown],
      [m.labels.tax, d.get('tax_amount') === undefined ? undefined : money(d.get('tax_amount'), currency, m.format)],
    ],
    action: m.invoice.action,
  };
};

/** The balance fell below the minimum: reminder and credit-limit variants, with the top-up action. */
export const minBalance: Renderer = (d, m) => {
  const credit = bool(d.get('is_min_credit')) === true;
  const repeated = bool(d.get('is_repeated')) === true;
  const words = m.minBalance;
  return {
    what: credit ? words.creditLimit : repeated ? words.stillLow : words.low,
    summary: [credit ? words.creditReached : words.belowThreshold, repeated ? words.reminder : ''].filter(Boolean).join(' '),
    // What is not the case is left out: the summary already says "credit limit" or "reminder" when it is.
    action: words.action,
    smsAction: words.smsAction,
  };
};

/** The next charge needs more money than the balance holds: the amounts required and missing. */
export const nextCharge: Renderer = (d, m) => {
  const required = amount(d.get('required_money'), d.currency, m.format);
  const missing = amount(d.get('insufficient_funds_amount'), d.currency, m.format);
  const words = m.nextCharge;
  return {
    what: words.what,
    detail: words.detail(required, missing),
    summary: words.summary,
    facts: [
      [m.labels.requiredForRenewal, required ?? m.format.unknown],
      [m.labels.missing, missing ?? m.format.unknown],
    ],
    action: words.action,
    smsAction: words.smsAction,
  };
};

/** Verified caller IDs that expire soon, shown as phone numbers, with the expiry date. */
export const callerIds: Renderer = (d, m) => {
  const expires = date(d.get('expiration_date'), m.format);
  const ids = bullets(d.get('callerids'), m.format, phone);
  const words = m.callerIds;
  return {
    what: words.what,
    detail: expires && words.on(expires),
    summary: words.summary,
    facts: [[m.labels.expires, expires]],
    lines: [words.heading, ...ids.lines],
    action: words.action,
    smsAction: words.smsAction,
  };
};

/** The document verification agreement expires: the date and the days left. */
export const agreementExpiring: Renderer = (d, m) => {
  const expires = date(d.get('expiration_date'), m.format);
  const days = text(d.get('until_expiration'), 10);
  const words = m.agreementExpiring;
  return {
    what: words.what,
    detail: days ? words.inDays(days) : expires,
    summary: words.summary,
    facts: [
      [m.labels.expires, expires],
      [m.labels.daysLeft, days],
    ],
    action: words.action,
    smsAction: words.smsAction,
  };
};

/** The document verification agreement expired: the documents concerned, by id. */
export const agreementExpired: Renderer = (d, m) => {
  const ids = bullets(d.get('document_ids'), m.format, (item) => text(item, 40));
  const words = m.agreementExpired;
  return {
    what: words.what,
    detail: ids.detail && words.document(ids.detail),
    summary: words.summary,
    lines: [words.heading, ...ids.lines],
    action: words.action,
    smsAction: words.smsAction,
  };
};

/** The verification agreement is restored: the document id and the new expiry date. */
export const agreementRestored: Renderer = (d, m) => ({
  ...m.agreementRestored,
  facts: [
    [m.labels.documentId, text(d.get('document_id'))],
    [m.labels.expires, date(d.get('expiration_date'), m.format)],
  ],
});

/** A call transcription is ready: the call session id and cost, never the recording or transcript URLs. */
export const transcription: Renderer = (d, m) => ({
  what: m.transcription.what,
  detail: text(d.get('call_session_history_id')) && m.transcription.session(text(d.get('call_session_history_id'))!),
  // The record and transcription URLs open a conversation: keep them out of mail, point to the panel.
  summary: m.transcription.summary,
  facts: [
    [m.labels.callSessionId, text(d.get('call_session_history_id'))],
    [m.labels.cost, d.get('transcription_cost') === undefined ? undefined : money(d.get('transcription_cost'), d.currency, m.format)],
  ],
});

/** An inbound SMS arrived: the receiving number only, never the sender or the text. */
export const smsInbound: Renderer = (d, m) => {
  // Only the receiving number is the customer's own; the sender and the text belong to someone else.
  const to = phone(d.get('destination_number'));
  return {
    what: m.smsInbound.what,
    detail: to && m.smsInbound.to(to),
    summary: m.smsInbound.summary,
    facts: [[m.labels.yourNumber, to]],
  };
};

/** A rented number's activation status changed: the number and the new status. */
export const numberActivation: Renderer = (d, m) => {
  const status = text(d.get('activation_status'), 40);
  return {
    ...m.numberActivation,
    detail: status,
    facts: [
      [m.labels.phoneNumber, phone(d.get('phone_number'))],
      [m.labels.activationStatus, status],
    ],
  };
};

/** A2P SMS sending was enabled or disabled (`a2p_enabled`). */
export const a2p: Renderer = (d, m) => {
  const enabled = bool(d.get('a2p_enabled'));
  return { what: m.a2p.what(enabled), summary: m.a2p.summary(enabled) };
};

/** Cancelling a batch of tasks completed: the batch id and how many tasks were cancelled. */
export const batchCancelled: Renderer = (d, m) => ({
  what: m.batchCancelled.what,
  detail: text(d.get('cancelled_tasks_number')) && m.batchCancelled.tasks(text(d.get('cancelled_tasks_number'))!),
  summary: m.batchCancelled.summary,
  facts: [
    [m.labels.batchId, text(d.get('batch_id'))],
    [m.labels.cancelledTasks, text(d.get('cancelled_tasks_number'))],
  ],
});

/** The balance changed; the balance itself is shown by renderAlert (catalogue: balance 'always'). */
export const balanceChanged: Renderer = (_, m) => ({ ...m.balanceChanged });

/**
 * Unknown types (and, `failed`, types whose template threw): the data's shape is unknown too, so
 * none of it is shown (it may be personal).
 */
export const unknownType =
  (name: string, failed = false): Renderer =>
  (_, m) => ({
    what: m.unknown.what(name),
    summary: `${(failed ? m.unknown.notRendered : m.unknown.notKnown)(name)} ${m.unknown.hidden}`,
  });
