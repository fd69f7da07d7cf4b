/**
 * Turns one verified callback into the words a person reads: an email subject and body, and one SMS.
 * Pure: no AWS, no I/O. Every value comes from an unsigned body (see the protocol reference: only the
 * callback id is covered by the hash), so every field is read defensively, capped and sanitized, and
 * only fields that are not personal data are ever read at all.
 */
import type { Alert, CallbackItem, Severity } from './callback';
import { safeTypeName } from './parse';

export interface RenderOptions {
  /** Linked from every email so the reader can act. */
  readonly consoleUrl: string;
}

// ---------------------------------------------------------------------------------------------------
// Limits

const SUBJECT_MAX = 99; // SNS: "less than 100 characters" (moto lets 100 pass; AWS does not)
const SMS_MAX = 160; // one GSM-7 segment
const VALUE_MAX = 80; // any one interpolated value in the email
const SHORT_MAX = 30; // the account name in subject and SMS, so the numbers after it survive
const DETAIL_MAX = 60; // the key-number part of subject and SMS
const LIST_MAX = 10; // list entries shown before "and N more"
const ELLIPSIS = '...';

// ---------------------------------------------------------------------------------------------------
// Sanitizing

/** Control, line-separator and paragraph-separator characters would break lines or headers: make them spaces. */
const BREAKING = /[\p{Cc}\p{Zl}\p{Zp}]+/gu;
/** Invisible format characters (bidi overrides, zero-width) can disguise text; lone surrogates are not text. */
const INVISIBLE = /[\p{Cf}\p{Cs}]/gu;
/** Printable ASCII words separated by single spaces: nothing for clean() to change. */
const PLAIN = /^[\x21-\x7E]+(?: [\x21-\x7E]+)*$/;
/** Printable ASCII: all a subject may hold. */
const NOT_ASCII = /[^\x20-\x7E]/gu;
/** Printable ASCII minus GSM-7 extension characters (they cost two) and the backtick (not in GSM-7). */
const NOT_GSM = /[^\x20-\x7E]|[[\]{}\\^~|`]/gu;

/** Truncates by code points (never splitting a surrogate pair), marking the cut with an ellipsis. */
function fit(value: string, max: number): string {
  if (value.length <= max) return value;
  const points = Array.from(value);
  if (points.length <= max) return value;
  return points.slice(0, max - ELLIPSIS.length).join('') + ELLIPSIS;
}

/** One line of readable text: no control or invisible characters, whitespace collapsed, capped. */
function clean(value: string, max = VALUE_MAX): string {
  // Most values are short printable ASCII with single spaces, which the full pass leaves as they are.
  if (value.length <= max && PLAIN.test(value)) return value;
  // Cut first so a multi-megabyte string costs no more than a short one.
  const head = value.length > max * 4 + 16 ? value.slice(0, max * 4 + 16) : value;
  return fit(head.replace(BREAKING, ' ').replace(INVISIBLE, '').replace(/\s+/g, ' ').trim(), max);
}

const ascii = (value: string): string => value.replace(NOT_ASCII, '?');
const gsm = (value: string): string => value.replace(NOT_GSM, '?');

// ---------------------------------------------------------------------------------------------------
// Reading hostile values: every reader accepts anything and answers undefined rather than throw.

type Json = Record<string, unknown>;

function record(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

/** Own properties only, so `constructor` or `__proto__` never resolve to something inherited. */
function prop(source: unknown, key: string): unknown {
  const r = record(source);
  return r !== undefined && Object.prototype.hasOwnProperty.call(r, key) ? r[key] : undefined;
}

const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** Numbers may arrive as strings; anything else, or anything non-finite, is no number. */
function num(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || value.length > 64) return undefined;
  const trimmed = value.trim();
  if (!NUMERIC.test(trimmed)) return undefined;
  const parsed = Number(trimmed);
  return Number.isFinite(parsed) ? parsed : undefined;
}

function bool(value: unknown): boolean | undefined {
  if (value === true || value === 'true' || value === 1 || value === '1') return true;
  if (value === false || value === 'false' || value === 0 || value === '0') return false;
  return undefined;
}

/** A scalar as display text; objects and arrays are not text (their contents are never dumped). */
function text(value: unknown, max = VALUE_MAX): string | undefined {
  if (typeof value === 'string') return clean(value, max) || undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return undefined;
}

/** Arrays may arrive as one scalar, one object, or a comma-separated string. Returns a capped slice. */
function list(value: unknown): { readonly items: readonly unknown[]; readonly total: number } {
  if (Array.isArray(value)) return { items: value.slice(0, LIST_MAX), total: value.length };
  if (typeof value === 'string') {
    const parts = value.slice(0, 10_000).split(',').map((part) => part.trim()).filter((part) => part !== '');
    return { items: parts.slice(0, LIST_MAX), total: parts.length };
  }
  if (value === undefined || value === null) return { items: [], total: 0 };
  return { items: [value], total: 1 };
}

/**
 * A phone number in one format everywhere: E.164 with its '+' (Voximplant sends numbers as digits,
 * `16505550134`; caller IDs sometimes with '+'). Spaces, dashes, dots and parentheses between digits are
 * dropped; anything that is not 7-15 digits then stays cleaned text, as sent.
 */
function phone(value: unknown): string | undefined {
  const shown = text(value, 32);
  if (shown === undefined) return undefined;
  const digits = /^\+?[\d ().-]+$/.test(shown) ? shown.replace(/[^\d]/g, '') : '';
  return /^[1-9]\d{6,14}$/.test(digits) ? `+${digits}` : shown;
}

/** Amounts carry the account's currency unless they bring their own. */
function currencyCode(value: unknown): string {
  return typeof value === 'string' ? value.slice(0, 16).replace(/[^A-Za-z]/g, '').slice(0, 5).toUpperCase() : '';
}

/** An amount with its currency code, e.g. `4.87 USD`; undefined when it is no finite number. */
function amount(value: unknown, currency: unknown): string | undefined {
  const parsed = num(value);
  if (parsed === undefined) return undefined;
  const code = currencyCode(currency);
  // Above 1e21 toFixed switches to exponent notation, still readable; clean() caps the length.
  const formatted = clean(parsed.toFixed(2), 40);
  return code === '' ? formatted : `${formatted} ${code}`;
}

/** For the email, where a missing amount is worth saying. */
const money = (value: unknown, currency: unknown): string => amount(value, currency) ?? 'unknown';

/** Dates come as `YYYY-MM-DD HH:mm:ss` (UTC) or `YYYY-MM-DD`; anything else is shown as cleaned text. */
function date(value: unknown): string | undefined {
  if (typeof value === 'string') {
    const match = /^\s*(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2})?))?/.exec(value.slice(0, 64));
    if (match) return match[2] === undefined ? match[1] : `${match[1]} ${match[2]} UTC`;
  }
  return text(value, 40);
}

/** Several scalars in one line, e.g. certificate applications. */
function inline(value: unknown, max = 5): string | undefined {
  const { items, total } = list(value);
  const shown = items.slice(0, max).map((item) => text(item, 40)).filter((item): item is string => !!item);
  if (shown.length === 0) return undefined;
  return total > shown.length ? `${shown.join(', ')} and ${total - shown.length} more` : shown.join(', ');
}

/**
 * A capped bullet list for the email, and a short `detail` for subject and SMS: the first entry's
 * `label` (default: the whole entry) plus how many more there are.
 */
function bullets(
  value: unknown,
  entry: (item: unknown) => string | undefined,
  label: (item: unknown) => string | undefined = entry,
) {
  const { items, total } = list(value);
  const lines = items.map((item) => `- ${entry(item) ?? '(no details)'}`);
  if (total > items.length) lines.push(`- and ${total - items.length} more`);
  const first = items.length > 0 ? label(items[0]) : undefined;
  const detail = first === undefined ? undefined : total > 1 ? `${first} +${total - 1} more` : first;
  return { lines, detail };
}

/** "Label: value" pairs joined for a list entry, skipping what is missing. */
function parts(...values: Array<string | undefined | false>): string {
  return values.filter((value): value is string => typeof value === 'string' && value !== '').join(', ');
}

// ---------------------------------------------------------------------------------------------------
// Per-type rendering

/** What a type renderer sees: its data, both shapes accepted, and the envelope's money fields. */
interface Data {
  /** A type-specific field: `item[type][type][key]` (nested shape) wins over `item[type][key]` (flat). */
  get(key: string): unknown;
  readonly currency: unknown;
}

type Fact = readonly [label: string, value: string | undefined];

interface Body {
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

type Renderer = (data: Data) => Body;

interface TypeEntry {
  readonly severity: Severity;
  readonly render: Renderer;
  /** Show the balance even when the callback lacks it (as "unknown"): it is the point of the alert. */
  readonly balance?: 'always';
}

const CONSOLE_TOP_UP = 'Top up the balance in the control panel before calls stop.';

const fixed =
  (what: string, summary: string, action?: string, smsAction?: string): Renderer =>
  () => ({ what, summary, action, smsAction });

const payment =
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

const subscriptions =
  (what: string, summary: string, action?: string, smsAction?: string): Renderer =>
  (d) => {
    const entries = bullets(
      d.get('subscriptions'),
      (item) => subscriptionEntry(item, d.currency),
      (item) => (record(item) ? subscriptionName(item, 40) : text(item, 40)),
    );
    return { what, detail: entries.detail, summary, lines: ['Subscriptions:', ...entries.lines], action, smsAction };
  };

const sipRegistrations =
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

const certificates =
  (what: string, summary: string, expired = false): Renderer =>
  (d) => {
    const entries = bullets(d.get('certificates'), (item) => {
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
    }, (item) => (record(item) ? text(prop(item, 'cert_file_name'), 40) : text(item, 40)));
    return {
      what,
      detail: entries.detail,
      summary,
      lines: ['Certificates:', ...entries.lines],
      action: 'Upload a renewed push certificate for each application in the control panel.',
      smsAction: 'Renew push certificates.',
    };
  };

const document =
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

const regulationAddress =
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

const report =
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

const invoice: Renderer = (d) => {
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

const minBalance: Renderer = (d) => {
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

const nextCharge: Renderer = (d) => {
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

const callerIds: Renderer = (d) => {
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

const agreementExpiring: Renderer = (d) => {
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

const agreementExpired: Renderer = (d) => {
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

const agreementRestored: Renderer = (d) => ({
  what: 'verification restored',
  summary: 'The document verification status was restored.',
  facts: [
    ['Document id', text(d.get('document_id'))],
    ['Expires', date(d.get('expiration_date'))],
  ],
});

const transcription: Renderer = (d) => ({
  what: 'transcription ready',
  detail: text(d.get('call_session_history_id')) && `session ${text(d.get('call_session_history_id'))}`,
  // The record and transcription URLs open a conversation: keep them out of mail, point to the panel.
  summary: 'A call transcription is ready. Links to the recording are not included; open the call history in the control panel.',
  facts: [
    ['Call session id', text(d.get('call_session_history_id'))],
    ['Cost', d.get('transcription_cost') === undefined ? undefined : money(d.get('transcription_cost'), d.currency)],
  ],
});

const smsInbound: Renderer = (d) => {
  // Only the receiving number is the customer's own; the sender and the text belong to someone else.
  const to = phone(d.get('destination_number'));
  return {
    what: 'inbound SMS',
    detail: to && `to ${to}`,
    summary:
      "An inbound SMS arrived on your Voximplant number. The sender and the text are not included, to protect the sender's privacy.",
    facts: [['Your number', to]],
  };
};

const numberActivation: Renderer = (d) => {
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

const a2p: Renderer = (d) => {
  const enabled = bool(d.get('a2p_enabled'));
  const state = enabled === undefined ? 'status changed' : enabled ? 'enabled' : 'disabled';
  return { what: `A2P SMS ${state}`, summary: `A2P SMS sending is ${state} for the account.` };
};

const batchCancelled: Renderer = (d) => ({
  what: 'batch cancelled',
  detail: text(d.get('cancelled_tasks_number')) && `${text(d.get('cancelled_tasks_number'))} tasks`,
  summary: 'Cancelling a batch of tasks has completed.',
  facts: [
    ['Batch id', text(d.get('batch_id'))],
    ['Cancelled tasks', text(d.get('cancelled_tasks_number'))],
  ],
});

const balanceChanged: Renderer = () => ({ what: 'balance changed', summary: 'The account balance changed.' });

/** Every type the protocol reference names, with its severity and renderer. */
const TYPES: Readonly<Record<string, TypeEntry>> = {
  // Money running out or service stopping.
  min_balance: { severity: 'critical', render: minBalance, balance: 'always' },
  account_is_frozen: {
    severity: 'critical',
    render: fixed(
      'account frozen',
      'The account is frozen: calls and other services are stopped.',
      'Top up the balance in the control panel, or contact Voximplant support, to unfreeze the account.',
      'Calls are stopped. Top up now.',
    ),
  },
  card_payment_failed: {
    severity: 'critical',
    render: fixed(
      'card payment failed',
      'An automatic card payment failed.',
      'Check the card in the control panel, or pay another way, before the balance runs out.',
      'Check the card or pay now.',
    ),
  },
  next_charge_alert: { severity: 'critical', render: nextCharge },
  subscription_is_frozen: {
    severity: 'critical',
    render: subscriptions(
      'subscription frozen',
      'Subscriptions (for example rented phone numbers) were frozen because they could not be paid for.',
      'Top up the balance and renew the frozen subscriptions in the control panel before they are cancelled.',
      'Top up and renew now.',
    ),
  },
  uncharged_tariff: {
    severity: 'critical',
    render: fixed('plan fee not charged', "The account's plan fee could not be charged.", CONSOLE_TOP_UP, 'Top up now.'),
  },

  // Needs action soon.
  card_expired: {
    severity: 'warning',
    render: fixed(
      'card expired',
      'The payment card on file has expired.',
      'Add a valid card in the control panel so automatic payments continue.',
      'Add a valid card.',
    ),
  },
  card_expires_in_month: {
    severity: 'warning',
    render: fixed(
      'card expires soon',
      'The payment card on file expires within a month.',
      'Add a new card in the control panel before this one expires.',
      'Add a new card.',
    ),
  },
  subscription_is_detached: {
    severity: 'warning',
    render: subscriptions(
      'subscription cancelled',
      'Subscriptions were cancelled (detached) from the account.',
      'Check the control panel; rent the number again if it is still needed.',
    ),
  },
  unverified_subscription_detached: {
    severity: 'warning',
    render: subscriptions(
      'unverified subscription cancelled',
      'Subscriptions were cancelled because the required verification documents were not provided in time.',
      'Upload the verification documents in the control panel before renting again.',
    ),
  },
  sip_registration_fail: {
    severity: 'warning',
    render: sipRegistrations(
      'SIP registration failed',
      'A SIP registration failed: calls to it do not reach Voximplant until it recovers.',
      "Check the SIP credentials and the provider's status; Voximplant retries the registration.",
      'Check SIP credentials.',
    ),
  },
  js_fail: {
    severity: 'warning',
    render: fixed(
      'scenario error',
      'A VoxEngine scenario threw an error.',
      'Open the call history logs in the control panel to find the failing scenario.',
      'Check scenario logs.',
    ),
  },
  expiring_callerid: { severity: 'warning', render: callerIds },
  expiring_agreement: { severity: 'warning', render: agreementExpiring },
  expired_agreement: { severity: 'warning', render: agreementExpired },
  expiring_certificates: {
    severity: 'warning',
    render: certificates('push certificate expiring', 'Push notification certificates expire soon.'),
  },
  expired_certificates: {
    severity: 'warning',
    render: certificates(
      'push certificate expired',
      'Push notification certificates have expired: push notifications to those applications fail.',
      true,
    ),
  },
  account_document_status_updated: {
    // A status change may be a rejection, which needs a new upload.
    severity: 'warning',
    render: document(
      'document status changed',
      'The status of a verification document changed.',
      'Check the document in the control panel and upload it again if it was rejected.',
      true,
    ),
  },
  regulation_address_documents_requested: {
    severity: 'warning',
    render: regulationAddress(
      'address documents requested',
      'Voximplant requests documents for a proof-of-address.',
      'Upload the requested documents in the control panel.',
      'Upload address documents.',
    ),
  },
  reset_account_password_request: {
    // Nobody on the team asking for it means someone else is trying the account.
    severity: 'warning',
    render: fixed(
      'password reset requested',
      'A password reset was requested for the account.',
      'If nobody on your team asked for it, secure the account: change the password and review users and API keys.',
      'Not you? Secure the account.',
    ),
  },
  stagnant_account: {
    severity: 'warning',
    render: fixed(
      'account inactive',
      'Voximplant reports the account as inactive.',
      'Log in to the control panel if you want to keep the account.',
    ),
  },

  // For information.
  account_is_unfrozen: { severity: 'info', render: fixed('account unfrozen', 'The account is unfrozen: services work again.') },
  card_payment: { severity: 'info', render: payment('card') },
  robokassa_payment: { severity: 'info', render: payment('Robokassa') },
  wire_transfer: { severity: 'info', render: payment('wire transfer') },
  renewed_subscriptions: {
    severity: 'info',
    render: subscriptions('subscriptions renewed', 'Subscriptions were renewed and charged.'),
  },
  sip_registration_recovered: {
    severity: 'info',
    render: sipRegistrations('SIP registration recovered', 'A SIP registration that had failed works again.'),
  },
  restored_agreement_status: { severity: 'info', render: agreementRestored },
  account_document_uploaded: {
    severity: 'info',
    render: document('document uploaded', 'A verification document was uploaded.'),
  },
  account_document_verified: {
    severity: 'info',
    render: document('document verified', 'A verification document was verified.'),
  },
  regulation_address_uploaded: {
    severity: 'info',
    render: regulationAddress('address uploaded', 'A proof-of-address was uploaded.'),
  },
  regulation_address_verified: {
    severity: 'info',
    render: regulationAddress('address verified', 'A proof-of-address was verified.'),
  },
  transcription_complete: { severity: 'info', render: transcription },
  sms_inbound: { severity: 'info', render: smsInbound },
  phone_number_activation_status_changed: { severity: 'info', render: numberActivation },
  call_history_report: { severity: 'info', render: report('call history report') },
  transaction_history_report: { severity: 'info', render: report('transaction history report') },
  a2p_sms_activated: { severity: 'info', render: a2p },
  batch_task_cancelling_completed: { severity: 'info', render: batchCancelled },
  invoice_received: { severity: 'info', render: invoice },
  new_invoice: { severity: 'info', render: invoice },
  activate_successful: { severity: 'info', render: fixed('account activated', 'The account was activated.') },
  plan_config: { severity: 'info', render: fixed('plan changed', "The account's plan configuration changed.") },
  balance_is_changed: { severity: 'info', render: balanceChanged, balance: 'always' },
};

export const KNOWN_TYPES: readonly string[] = Object.freeze(Object.keys(TYPES));

function entryOf(type: string): TypeEntry | undefined {
  return Object.prototype.hasOwnProperty.call(TYPES, type) ? TYPES[type] : undefined;
}

export function severityOf(type: string): Severity {
  return entryOf(type)?.severity ?? 'info';
}

/** Unknown types: the data's shape is unknown too, so none of it is shown (it may be personal). */
const unknownType =
  (name: string, why: string): Renderer =>
  () => ({
    what: `callback ${name}`,
    summary: `${why} Its data is not shown here; check the control panel.`,
  });

// ---------------------------------------------------------------------------------------------------
// Composing

/**
 * The account name `npm run send-callback` puts in the callbacks it sends to a deployment (a smoke test):
 * such an alert says TEST in its subject, SMS and first email line, so nobody takes it for an emergency.
 * The name is unsigned like every body field; a forger gains nothing by it (the callback must still verify,
 * and each id alerts once).
 */
export const SMOKE_TEST_ACCOUNT_NAME = 'TEST sent by send-callback';

/**
 * The top-level item fields renderAlert reads, besides the envelope fields and the type's own data
 * (`item[type]`). A parked item keeps these and nothing else (receiver.ts parkable()), so a retry renders
 * the same alert without storing personal data it never shows.
 */
export const RENDERED_FIELDS: readonly string[] = Object.freeze(['account_name', 'balance', 'currency']);

export function renderAlert(item: CallbackItem, options: RenderOptions): Alert {
  const type = typeof item.type === 'string' ? item.type : '';
  const fields: unknown = item.fields;
  const entry = entryOf(type);
  const name = safeTypeName(type);

  const outer = prop(fields, type);
  const inner = prop(outer, type);
  const data: Data = {
    get: (key) => {
      const nested = prop(inner, key);
      return nested !== undefined ? nested : prop(outer, key);
    },
    currency: prop(fields, 'currency'),
  };

  const render = entry?.render ?? unknownType(name, `Voximplant sent a callback of type "${name}", which this receiver does not know.`);
  let body: Body;
  try {
    body = render(data);
  } catch {
    // Defence in depth (a getter on a hostile object, a bug): an alert without details beats no alert.
    body = unknownType(name, `A callback of type "${name}" arrived but could not be rendered in detail.`)(data);
  }

  const accountId = clean(String(item.accountId), 20);
  const accountName = text(prop(fields, 'account_name'));
  const hasBalance = prop(fields, 'balance') !== undefined || entry?.balance === 'always';
  const balance = money(prop(fields, 'balance'), data.currency);
  const detail = body.detail === undefined ? (entry?.balance === 'always' ? balance : undefined) : body.detail;
  const shortDetail = detail === undefined ? '' : ` (${fit(detail, DETAIL_MAX)})`;
  const shortAccount = accountName === undefined ? `account ${accountId}` : fit(accountName, SHORT_MAX);

  const test = accountName === SMOKE_TEST_ACCOUNT_NAME;
  const subject = fit(ascii(clean(`${test ? 'TEST: ' : ''}Voximplant: ${body.what} on ${shortAccount}${shortDetail}`, SUBJECT_MAX * 2)), SUBJECT_MAX);

  // Most important first, so truncation only ever loses the tail: what, the numbers, the action, the account.
  const sms = fit(
    gsm(
      clean(
        [`${test ? 'TEST, not real: ' : ''}Voximplant: ${body.what}${shortDetail}.`, body.smsAction, `Account ${shortAccount} (${accountId}).`]
          .filter(Boolean)
          .join(' '),
        SMS_MAX * 2,
      ),
    ),
    SMS_MAX,
  );

  const account = accountName === undefined ? `id ${accountId}` : `"${accountName}" (id ${accountId})`;
  const facts: Fact[] = [['Account', account], ...(hasBalance ? [['Balance', balance] as const] : []), ...(body.facts ?? [])];
  const email = [
    ...(test ? [`${SMOKE_TEST_ACCOUNT_NAME}: not a real alert, nothing needs doing. It shows the alerts reach you.`, ''] : []),
    body.summary,
    '',
    ...facts.filter(([, value]) => value !== undefined).map(([label, value]) => `${label}: ${value}`),
    ...(body.lines && body.lines.length > 0 ? ['', ...body.lines] : []),
    ...(body.action ? ['', `What to do next: ${body.action}`] : []),
    '',
    `Control panel: ${clean(String(options.consoleUrl), 500)}`,
    '',
    '--',
    `Voximplant callback ${clean(String(item.callbackId), 20)}, type ${name}, severity ${severityOf(type)}.`,
    '',
  ].join('\n');

  return {
    accountId: item.accountId,
    callbackId: item.callbackId,
    // Sanitized: it becomes the `callback_type` message attribute subscribers filter on.
    type: name,
    severity: severityOf(type),
    subject,
    email,
    sms,
  };
}
