/**
 * What an incident's follow-ups say (issue 15): a reminder while it is open and unacknowledged, one
 * "acknowledged" notice, one "resolved" notice with how long it lasted. Same channels and limits as every
 * alert (text.ts): a printable-ASCII subject under 100 characters (in English whatever the language: SNS takes
 * no Cyrillic there), one SMS segment (GSM-7 160 / UCS-2 70: sms.ts), a plain-text email in the incident's
 * language (its last callback's language_code, or the deployment's alertLanguage).
 *
 * Every notice carries `incident` (incidentKeyString) and `escalation` (the notice's level: publish-plan.ts
 * sends it as the Number message attribute escalation recipients filter on), and the severity of the alerts
 * that open the incident's kind, so each follow-up passes the same subscription filters its opening passed:
 * everyone who got the incident gets its reminders and its "resolved". Pure: no AWS, no clock, no I/O.
 */
import type { Notice } from '../incidents/lifecycle';
import { incidentKeyString, type Incident, type IncidentKind } from '../incidents/model';
import type { Alert, Severity } from '../model';
import { severityOf } from './catalogue';
import { amount } from './fields';
import { type AlertLanguage, en, languageOf, MESSAGES, type Messages } from './i18n';
import { chatText } from './chat';
import { smsText } from './sms';
import { ascii, clean, fit, SHORT_MAX, SUBJECT_MAX, VALUE_MAX } from './text';

/**
 * What every incident follow-up type starts with: the SMS filter's type list takes it as one prefix value (SNS
 * "prefix" string matching), so it costs one of the policy's 150 combinations per severity, not three. No
 * Voximplant callback type starts with it (catalogue.ts).
 */
export const INCIDENT_TYPE_PREFIX = 'incident_';

/** The alert types (the `callback_type` message attribute) of incident follow-ups; none is a Voximplant callback type. */
export const INCIDENT_ALERT_TYPES = {
  reminder: `${INCIDENT_TYPE_PREFIX}reminder`,
  acknowledged: `${INCIDENT_TYPE_PREFIX}acknowledged`,
  resolved: `${INCIDENT_TYPE_PREFIX}resolved`,
} as const satisfies Record<Notice['kind'], string>;

/**
 * The severity of each kind's follow-ups: that of the alerts that open it (catalogue.ts; the watchdog's openings
 * are critical, render/watchdog.ts), so the SMS severity filter treats them alike.
 */
export const INCIDENT_SEVERITY: Readonly<Record<IncidentKind, Severity>> = Object.freeze({
  low_balance: severityOf('min_balance'),
  account_frozen: severityOf('account_is_frozen'),
  sip_registration: severityOf('sip_registration_fail'),
  card_payment_failed: severityOf('card_payment_failed'),
  callback_url_wrong: 'critical',
  callback_salt_wrong: 'critical',
});

export interface IncidentRenderOptions {
  /** Linked from every email. */
  readonly consoleUrl: string;
  /** Epoch ms: when the notice is sent (a reminder's "open for"). */
  readonly now: number;
  /** `en`, `ru`, or `auto` (default): the incident's last language_code. */
  readonly alertLanguage?: AlertLanguage;
  /** A reminder's acknowledge link (the stack's `ack/<token>` route); undefined: the email says there is none. */
  readonly ackUrl?: string;
}

const iso = (ms: number | undefined) =>
  ms === undefined || !Number.isFinite(ms) ? undefined : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const minutesBetween = (from: number, to: number) => Math.max(0, Math.floor((to - from) / 60_000));

/** How the incident was resolved, in `m`'s words. */
function resolvedHow(incident: Incident, m: Messages): string {
  const by = incident.resolvedBy ?? '';
  if (by === 'watchdog') return m.incident.resolved.watchdog[incident.key.kind];
  return Object.hasOwn(m.incident.resolved.by, by)
    ? m.incident.resolved.by[by as keyof Messages['incident']['resolved']['by']]
    : m.incident.resolved.other;
}

/** What each notice says in `m`'s words: subject/SMS head, email summary, SMS tail. */
function wordsOf(incident: Incident, notice: Notice, m: Messages, now: number) {
  const words = m.incident;
  const kind = words.kinds[incident.key.kind];
  switch (notice.kind) {
    case 'reminder': {
      const openFor = words.duration(minutesBetween(incident.openedAt, now));
      return {
        what: words.reminder.what(kind, openFor),
        summary: words.reminder.summary(kind, openFor, incident.repeats),
        sms: words.actions[incident.key.kind].smsAction,
      };
    }
    case 'acknowledged': {
      const by = incident.acknowledgedBy === undefined ? undefined : clean(incident.acknowledgedBy, 40) || undefined;
      return { what: words.acknowledged.what(kind), summary: words.acknowledged.summary(kind, by), sms: words.acknowledged.sms(by) };
    }
    case 'resolved': {
      const lasted = words.duration(minutesBetween(incident.openedAt, incident.resolvedAt ?? now));
      return {
        what: words.resolved.what(kind, lasted),
        summary: words.resolved.summary(kind, resolvedHow(incident, m), lasted),
        sms: words.resolved.sms,
      };
    }
  }
}

/**
 * The alert for `notice` about `incident` (the record before the notice was taken: its status, times and
 * facts). `callbackId` 0 (not a callback); `type` from INCIDENT_ALERT_TYPES. Never throws.
 */
export function renderIncidentNotice(incident: Incident, notice: Notice, options: IncidentRenderOptions): Alert {
  const m = MESSAGES[languageOf(incident.facts.languageCode, options.alertLanguage)];
  const words = wordsOf(incident, notice, m, options.now);
  const english = m === en ? words : wordsOf(incident, notice, en, options.now);
  const accountId = clean(String(incident.key.accountId), 20);
  const key = clean(incidentKeyString(incident.key), VALUE_MAX);
  const severity = INCIDENT_SEVERITY[incident.key.kind];
  const type = INCIDENT_ALERT_TYPES[notice.kind];
  const facts = incident.facts;
  const balance = amount(facts.balance, facts.currency, m.format);
  const sipStatus =
    facts.statusCode === undefined && facts.errorMessage === undefined
      ? undefined
      : clean([facts.statusCode, facts.errorMessage].filter((v) => v !== undefined).join(' '), VALUE_MAX);
  const labels = m.incident.labels;

  // The account as the opening alert named it (its callback's account_name: untrusted, cleaned and capped here too).
  const accountName = facts.accountName === undefined ? undefined : clean(facts.accountName, VALUE_MAX) || undefined;
  const shortName = accountName === undefined ? undefined : fit(accountName, SHORT_MAX);
  const subject = fit(
    ascii(
      clean(
        `Voximplant: ${english.what} on ${accountName === undefined ? `account ${accountId}` : `${accountName} (${accountId})`}`,
        SUBJECT_MAX * 2,
      ),
    ),
    SUBJECT_MAX,
  );
  const sms = smsText({ test: false, what: words.what, detail: undefined, action: words.sms, shortName, accountId }, m);
  const lines: Array<[string, string | undefined]> = [
    [m.labels.account, m.alert.account(accountName, accountId)],
    [labels.incident, key],
    [labels.openedAt, iso(incident.openedAt)],
    [labels.lastBalance, balance],
    [labels.sipStatus, sipStatus],
    [labels.repeats, incident.repeats > 0 ? String(incident.repeats) : undefined],
    [labels.level, notice.kind === 'reminder' ? m.incident.reminder.number(notice.reminder, notice.level) : String(notice.level)],
    [labels.acknowledgedAt, iso(incident.acknowledgedAt)],
    [labels.resolvedAt, notice.kind === 'resolved' ? iso(incident.resolvedAt) : undefined],
  ];
  const action = m.incident.actions[incident.key.kind].action;
  const email = [
    words.summary,
    '',
    ...lines.filter(([, value]) => value !== undefined).map(([label, value]) => `${label}: ${value}`),
    ...(notice.kind === 'reminder'
      ? [
          '',
          options.ackUrl === undefined ? m.incident.reminder.noLink : `${m.incident.reminder.acknowledge}: ${clean(options.ackUrl, 500)}`,
          '',
          `${m.alert.whatToDo}: ${action}`,
        ]
      : []),
    '',
    `${m.alert.controlPanel}: ${clean(options.consoleUrl, 500)}`,
    '',
    '--',
    m.incident.footer(key, m.severity[severity]),
    '',
  ].join('\n');

  // In chat, in the incident's thread (lambda/chat/message.ts threads by `incident`), with the same facts and link.
  const chat = chatText(
    {
      what: words.what,
      account: m.alert.account(shortName, accountId),
      summary: words.summary,
      facts: lines,
      lines:
        notice.kind === 'reminder' && options.ackUrl !== undefined
          ? [`${m.incident.reminder.acknowledge}: ${clean(options.ackUrl, 500)}`]
          : [],
      ...(notice.kind === 'reminder' ? { action } : {}),
      consoleUrl: options.consoleUrl,
      type,
      severity,
      test: false,
    },
    m,
  );

  return {
    accountId: incident.key.accountId,
    callbackId: 0,
    type,
    severity,
    subject,
    email,
    sms,
    chat,
    escalation: notice.level,
    incident: incidentKeyString(incident.key),
  };
}
