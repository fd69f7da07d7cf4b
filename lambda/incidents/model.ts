/**
 * Incidents (issue 15): the alerts that mean "something is wrong until someone fixes it" open an incident,
 * keyed by account and kind; repeats fold into it, reminders follow a schedule until someone acknowledges it,
 * and one "resolved" notice closes it. Plain types and constants only: no logic beyond key building, no AWS.
 *
 * Protocol facts (docs/protocol.md): `min_balance` (with `is_repeated` while the balance stays low) and
 * `next_charge_alert` say money is running out; `account_is_frozen` / `account_is_unfrozen`;
 * `sip_registration_fail` / `sip_registration_recovered` carry `sip_registrations: [{sip_registration_id}]`;
 * `card_payment_failed`; `card_payment`, `robokassa_payment` and `wire_transfer` say money was received.
 */
import type { Condition } from '../watchdog/findings';

/** What an incident is about. One open incident per account and kind (and registration, for SIP). */
export const INCIDENT_KINDS = [
  'low_balance',
  'account_frozen',
  'sip_registration',
  'card_payment_failed',
  'callback_url_wrong',
  'callback_salt_wrong',
] as const;
export type IncidentKind = (typeof INCIDENT_KINDS)[number];

export interface IncidentKey {
  readonly accountId: number;
  readonly kind: IncidentKind;
  /** `sip_registration_id` (decimal digits) for 'sip_registration'; '' for every other kind. */
  readonly subject: string;
}

/** The callback types that open (or fold into) an incident, and its kind. */
export const OPENED_BY_CALLBACK: Readonly<Record<string, IncidentKind>> = {
  min_balance: 'low_balance',
  next_charge_alert: 'low_balance',
  account_is_frozen: 'account_frozen',
  sip_registration_fail: 'sip_registration',
  card_payment_failed: 'card_payment_failed',
};

/** The callback types that resolve incidents, and which kinds. */
export const RESOLVED_BY_CALLBACK: Readonly<Record<string, readonly IncidentKind[]>> = {
  card_payment: ['low_balance', 'card_payment_failed'],
  robokassa_payment: ['low_balance', 'card_payment_failed'],
  wire_transfer: ['low_balance', 'card_payment_failed'],
  account_is_unfrozen: ['account_frozen'],
  sip_registration_recovered: ['sip_registration'],
};

/** The watchdog's conditions (watchdog/findings.ts) as incidents: opening one opens (or folds into) the kind, clearing resolves it. */
export const OPENED_BY_CONDITION: Readonly<Record<Condition, IncidentKind>> = {
  callback_url_wrong: 'callback_url_wrong',
  callback_salt_wrong: 'callback_salt_wrong',
  min_balance_not_called: 'low_balance',
  account_frozen: 'account_frozen',
};

export type IncidentStatus = 'open' | 'acknowledged' | 'resolved';

/** A notice still to be sent about an incident, after its opening alert (the notifier's outbox). */
export type PendingNotice = 'acknowledged' | 'resolved';

/** What a reminder or a notice may show about the incident (last known; untrusted text is cleaned by the renderer). */
export interface IncidentFacts {
  readonly balance?: number;
  readonly currency?: string;
  /** SIP: the registration's last status code and error message. */
  readonly statusCode?: number;
  readonly errorMessage?: string;
  /** The callback's language_code, for the reader's language (render/i18n). */
  readonly languageCode?: string;
  /** The callback's account_name (untrusted text, at most 64 characters), so reminders name the account as the opening did. */
  readonly accountName?: string;
}

/**
 * One incident as stored (one record per key; a key opened again after it was resolved gets a new incidentId).
 * Times are epoch milliseconds.
 */
export interface Incident {
  readonly key: IncidentKey;
  /** 32 lowercase hex characters, random per opening: binds acknowledge links to this opening only. */
  readonly incidentId: string;
  readonly status: IncidentStatus;
  readonly openedAt: number;
  /** The callback type that opened it, or `watchdog`. */
  readonly openedBy: string;
  /** The callback whose alert opened it: a retried request with the same callback gets 'opened' again. */
  readonly openingCallbackId?: number;
  /** The last callback or watchdog pass that said the same thing. */
  readonly lastSeenAt: number;
  /** Repeats folded into it (is_repeated callbacks, second callbacks, watchdog findings). */
  readonly repeats: number;
  /** Escalation level reached: 1 once the opening alert is sent, +1 per reminder. */
  readonly level: number;
  /** When the next reminder is due; undefined once acknowledged or resolved. */
  readonly nextReminderAt?: number;
  readonly acknowledgedAt?: number;
  /** Who acknowledged, as they typed it (bounded, cleaned by the ack route). */
  readonly acknowledgedBy?: string;
  readonly resolvedAt?: number;
  /** The callback type that resolved it, or `watchdog`. */
  readonly resolvedBy?: string;
  /** Notices the notifier still has to send, oldest first. */
  readonly pendingNotices: readonly PendingNotice[];
  readonly facts: IncidentFacts;
  /** 0 when not stored yet; every write adds 1 (conditional writes match it). */
  readonly version: number;
}

/**
 * When reminders are due, from the opening: one at each offset, then every `repeatMs` after the last offset.
 * Default (issue 15): 30 min, 2 h, 6 h, then every 12 h.
 */
export interface ReminderSchedule {
  readonly offsetsMs: readonly number[];
  readonly repeatMs: number;
}

export const DEFAULT_REMINDER_SCHEDULE: ReminderSchedule = {
  offsetsMs: [30 * 60_000, 2 * 3_600_000, 6 * 3_600_000],
  repeatMs: 12 * 3_600_000,
};

/** The SNS message attribute value of the opening alert; each reminder adds 1; notices carry the level reached. */
export const OPENING_LEVEL = 1;
/** Escalation recipients (`-c escalationEmail=` / `escalationSms=`) get messages of this level and up. */
export const ESCALATION_LEVEL = 2;

/** The key as one string: `<account_id>#<kind>` or `<account_id>#<kind>#<subject>` (also the chat thread id's seed). */
export function incidentKeyString(key: IncidentKey): string {
  return key.subject === '' ? `${key.accountId}#${key.kind}` : `${key.accountId}#${key.kind}#${key.subject}`;
}
