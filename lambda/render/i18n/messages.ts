/**
 * The shape of a language's words for alerts: one typed message catalogue per language (en.ts, ru.ts), so
 * a key missing from one language fails `tsc`. Templates (templates.ts) read the callback's fields once
 * and take every word from the catalogue of the alert's language; renderAlert (index.ts) assembles them.
 * Types, and one small helper (splitMinutes) both catalogues share: no AWS, no I/O.
 */
import type { IncidentKind } from '../../incidents/model';
import type { Severity, UnconfirmedReason } from '../../model';
import type { SmsEncoding } from '../text';

/** The languages alerts are written in: the `language_code` values Voximplant documents (protocol reference). */
export type Language = 'en' | 'ru';

/** How a language writes the values templates show. Every function gets cleaned, bounded input. */
export interface Format {
  /** A finite number with two decimals: en `1000.00`, ru `1 000,00` (U+00A0 between thousands). */
  readonly decimal: (value: number) => string;
  /** A date `YYYY-MM-DD` (digits, not checked further) and an optional UTC time `HH:mm[:ss]`. */
  readonly date: (day: string, time: string | undefined) => string;
  /** An identifier shown in a list entry, subject or SMS: en "id 4411". */
  readonly id: (id: string) => string;
  /** A boolean sent where text was expected. */
  readonly yes: string;
  readonly no: string;
  /** A value that is missing or unreadable, where saying so helps (amounts, dates). */
  readonly unknown: string;
  /** A list entry with nothing readable in it. */
  readonly noDetails: string;
  /** The tail of a capped list: en "and 3 more". */
  readonly andMore: (count: number) => string;
  /** After the first entry in subject and SMS: en "+3 more". */
  readonly plusMore: (count: number) => string;
}

/** The words of a type whose template adds only data (templates.ts fixed(), subscriptions(), ...). */
export interface TypeWords {
  /** A few words for subject and SMS, e.g. "account frozen". */
  readonly what: string;
  /** One or two sentences opening the email. */
  readonly summary: string;
  /** What to do, in the email. */
  readonly action?: string;
  /** A shorter action for the SMS. */
  readonly smsAction?: string;
}

/** Callback types whose words are all in `Messages.types` (the catalogue names the key; a typo fails `tsc`). */
export type WordedType =
  | 'account_is_frozen'
  | 'card_payment_failed'
  | 'uncharged_tariff'
  | 'card_expired'
  | 'card_expires_in_month'
  | 'js_fail'
  | 'reset_account_password_request'
  | 'stagnant_account'
  | 'account_is_unfrozen'
  | 'activate_successful'
  | 'plan_config'
  | 'subscription_is_frozen'
  | 'subscription_is_detached'
  | 'unverified_subscription_detached'
  | 'renewed_subscriptions'
  | 'sip_registration_fail'
  | 'sip_registration_recovered'
  | 'expiring_certificates'
  | 'expired_certificates'
  | 'account_document_status_updated'
  | 'account_document_uploaded'
  | 'account_document_verified'
  | 'regulation_address_uploaded'
  | 'regulation_address_verified'
  | 'regulation_address_documents_requested';

/** Payment types: their words differ only by how the money came. */
export type PaymentType = 'card_payment' | 'robokassa_payment' | 'wire_transfer';
/** History report types: their words differ only by the report's name. */
export type ReportType = 'call_history_report' | 'transaction_history_report';

/** Labels of the email's "Label: value" lines. */
export type Label =
  | 'account'
  | 'balance'
  | 'amount'
  | 'transactionId'
  | 'transactionType'
  | 'documentId'
  | 'previousStatus'
  | 'status'
  | 'legalStatus'
  | 'updatedAt'
  | 'addressId'
  | 'reportId'
  | 'result'
  | 'orderedAt'
  | 'invoiceId'
  | 'invoiceDate'
  | 'received'
  | 'tax'
  | 'requiredForRenewal'
  | 'missing'
  | 'expires'
  | 'daysLeft'
  | 'callSessionId'
  | 'cost'
  | 'yourNumber'
  | 'phoneNumber'
  | 'activationStatus'
  | 'batchId'
  | 'cancelledTasks';

/** Everything an alert says in one language. Values in `${}` are already cleaned and capped. */
export interface Messages {
  /** What an SMS in this language needs: GSM-7 for English, UCS-2 for any Cyrillic (text.ts smsSize). */
  readonly smsEncoding: SmsEncoding;
  readonly format: Format;
  readonly labels: Readonly<Record<Label, string>>;
  readonly severity: Readonly<Record<Severity, string>>;
  readonly types: Readonly<Record<WordedType, TypeWords>>;
  /** renderAlert's own words (index.ts). */
  readonly alert: {
    /** Opens the SMS of a smoke test sent by `npm run send-callback`. */
    readonly testSms: string;
    /** The first email line of a smoke test; `name` is SMOKE_TEST_ACCOUNT_NAME. */
    readonly testEmail: (name: string) => string;
    /** The SMS's last sentence; `name` is undefined when the callback has none. */
    readonly smsAccount: (shortName: string | undefined, id: string) => string;
    /** The account line's value in the email. */
    readonly account: (name: string | undefined, id: string) => string;
    readonly whatToDo: string;
    readonly controlPanel: string;
    readonly footer: (callbackId: string, type: string, severity: string) => string;
    /** A chat message's title (render/chat.ts): `what` is the type's few words, `account` its name or id. */
    readonly chatTitle: (what: string, account: string) => string;
  };
  /** An incident's opening alert (lambda/incidents): its acknowledge link, email only (render/acknowledge.ts). */
  readonly acknowledge: {
    /** Before the link. */
    readonly link: string;
    /** One sentence: reminders follow until someone acknowledges or it resolves. */
    readonly remindersFollow: string;
  };
  /** A balance confirmed with Voximplant's Management API, or why it could not be (confirmation.ts). */
  readonly confirmation: {
    /** Why it is unconfirmed, for the email: plain words, no error codes. */
    readonly reasons: Readonly<Record<UnconfirmedReason, string>>;
    /** The same, in the fewest characters, for the SMS. */
    readonly smsReasons: Readonly<Record<UnconfirmedReason, string>>;
    /** The SMS sentence after the alert's numbers; `credit` undefined when there is no credit limit. */
    readonly sms: (balance: string | undefined, credit: string | undefined, frozen: boolean, time: string) => string;
    readonly smsUnconfirmed: (reason: string) => string;
    /** The callback's own balance line when a confirmation is shown beside it. */
    readonly balanceFromCallback: string;
    readonly confirmedBalance: string;
    readonly creditLimit: string;
    readonly frozen: string;
    readonly confirmedAt: string;
    /** After the read time: where the figures come from. */
    readonly source: string;
    readonly unknownTime: string;
    readonly notConfirmed: (reason: string) => string;
    readonly unsignedNote: string;
    readonly toppedUp: (threshold: string | undefined) => string;
    readonly unfrozen: string;
  };
  /** Types this receiver does not know, or could not render. */
  readonly unknown: {
    readonly what: (name: string) => string;
    readonly notKnown: (name: string) => string;
    readonly notRendered: (name: string) => string;
    readonly hidden: string;
  };
  readonly payment: {
    readonly what: string;
    readonly summary: (amount: string | undefined, via: string) => string;
    readonly via: Readonly<Record<PaymentType, string>>;
  };
  readonly subscriptions: {
    readonly heading: string;
    readonly cost: (amount: string) => string;
    readonly nextRenewal: (date: string) => string;
    readonly unnamed: string;
  };
  readonly sip: { readonly heading: string; readonly status: (code: string) => string };
  readonly certificates: {
    readonly heading: string;
    readonly credential: (id: string) => string;
    readonly expired: (date: string) => string;
    readonly expires: (date: string) => string;
    readonly applications: (list: string) => string;
    readonly unnamed: string;
    readonly action: string;
    readonly smsAction: string;
  };
  readonly document: { readonly comment: string };
  readonly report: {
    readonly names: Readonly<Record<ReportType, string>>;
    readonly ready: {
      readonly what: (name: string) => string;
      readonly summary: (name: string) => string;
      readonly result: string;
      readonly action: string;
    };
    readonly failed: {
      readonly what: (name: string) => string;
      readonly summary: (name: string) => string;
      readonly result: string;
      readonly action: string;
    };
  };
  readonly invoice: { readonly what: string; readonly summary: string; readonly action: string };
  readonly minBalance: {
    readonly low: string;
    readonly stillLow: string;
    readonly creditLimit: string;
    readonly belowThreshold: string;
    readonly creditReached: string;
    readonly reminder: string;
    readonly action: string;
    readonly smsAction: string;
  };
  readonly nextCharge: {
    readonly what: string;
    /** The subject's and SMS's numbers; either may be undefined. */
    readonly detail: (required: string | undefined, missing: string | undefined) => string | undefined;
    readonly summary: string;
    readonly action: string;
    readonly smsAction: string;
  };
  readonly callerIds: {
    readonly what: string;
    readonly on: (date: string) => string;
    readonly summary: string;
    readonly heading: string;
    readonly action: string;
    readonly smsAction: string;
  };
  readonly agreementExpiring: {
    readonly what: string;
    /** `days` is cleaned text, usually a whole number. */
    readonly inDays: (days: string) => string;
    readonly summary: string;
    readonly action: string;
    readonly smsAction: string;
  };
  readonly agreementExpired: {
    readonly what: string;
    readonly document: (detail: string) => string;
    readonly summary: string;
    readonly heading: string;
    readonly action: string;
    readonly smsAction: string;
  };
  readonly agreementRestored: { readonly what: string; readonly summary: string };
  readonly transcription: { readonly what: string; readonly session: (id: string) => string; readonly summary: string };
  readonly smsInbound: { readonly what: string; readonly to: (number: string) => string; readonly summary: string };
  readonly numberActivation: { readonly what: string; readonly summary: string };
  readonly a2p: {
    readonly what: (enabled: boolean | undefined) => string;
    readonly summary: (enabled: boolean | undefined) => string;
  };
  readonly batchCancelled: { readonly what: string; readonly tasks: (count: string) => string; readonly summary: string };
  readonly balanceChanged: { readonly what: string; readonly summary: string };
  /** An incident's reminder, "acknowledged" and "resolved" notices (render/incident.ts, issue 15). */
  readonly incident: IncidentWords;
}

/** The words of incident notices. Durations come from `duration`; every value is cleaned and capped. */
export interface IncidentWords {
  /** What each kind of incident is about, a few words for subject and SMS ("balance low"). */
  readonly kinds: Readonly<Record<IncidentKind, string>>;
  /** What to do about each kind (email) and its short form (SMS). */
  readonly actions: Readonly<Record<IncidentKind, { readonly action: string; readonly smsAction: string }>>;
  /** A length of time in whole minutes: en "3 h 12 min", "2 d 1 h", "5 min", "under a minute". */
  readonly duration: (minutes: number) => string;
  readonly labels: {
    readonly incident: string;
    readonly openedAt: string;
    readonly lastBalance: string;
    readonly sipStatus: string;
    readonly repeats: string;
    readonly level: string;
    readonly acknowledgedAt: string;
    readonly resolvedAt: string;
  };
  readonly reminder: {
    /** Subject/SMS head: "still open after 2 h: balance low". */
    readonly what: (kind: string, openFor: string) => string;
    /** The email's first sentences; `repeats` is how often Voximplant (or the watchdog) said it again. */
    readonly summary: (kind: string, openFor: string, repeats: number) => string;
    /** Before the acknowledge link. */
    readonly acknowledge: string;
    /** When the stack has no acknowledge key (no link). */
    readonly noLink: string;
    /** The reminder number in the email ("Reminder 2, escalation level 3"). */
    readonly number: (reminder: number, level: number) => string;
  };
  readonly acknowledged: {
    readonly what: (kind: string) => string;
    /** `by` undefined: the person gave no name. */
    readonly summary: (kind: string, by: string | undefined) => string;
    readonly sms: (by: string | undefined) => string;
  };
  readonly resolved: {
    readonly what: (kind: string, lasted: string) => string;
    /** `how`: one of `by` or `watchdog`'s phrases. */
    readonly summary: (kind: string, how: string, lasted: string) => string;
    /** By the callback type that resolved it. */
    readonly by: Readonly<
      Record<'card_payment' | 'robokassa_payment' | 'wire_transfer' | 'account_is_unfrozen' | 'sip_registration_recovered', string>
    >;
    /** By the watchdog, per kind ("the watchdog saw the balance back above the threshold"). */
    readonly watchdog: Readonly<Record<IncidentKind, string>>;
    /** Resolved by something not listed. */
    readonly other: string;
    readonly sms: string;
  };
  /** The email footer: "Incident <key>, severity critical." */
  readonly footer: (key: string, severity: string) => string;
}

/** Whole minutes as [days, hours, minutes], for the catalogues' `incident.duration`. Negative counts as 0. */
export function splitMinutes(minutes: number): [days: number, hours: number, minutes: number] {
  const total = Math.max(0, Math.floor(minutes));
  return [Math.floor(total / 1440), Math.floor((total % 1440) / 60), total % 60];
}
