/**
 * Incident follow-ups (issue 15): a reminder, "acknowledged" and "resolved" for every incident kind, in both
 * languages, within every channel's limits, with no English left in the Russian text; the escalation level and
 * incident key every notice carries; the acknowledge link only in a reminder.
 */
import type { Notice } from '../../../../lambda/incidents/lifecycle';
import { INCIDENT_KINDS, type Incident, type IncidentKind } from '../../../../lambda/incidents/model';
import { INCIDENT_ALERT_TYPES, INCIDENT_SEVERITY, renderIncidentNotice } from '../../../../lambda/render/incident';
import { MESSAGES } from '../../../../lambda/render/i18n';
import { smsSize } from '../../../../lambda/render/text';
import { customNotification, threadIdOf } from '../../../../lambda/chat/message';
import { validateCustomNotification } from '../../../support/custom-notification-schema';
import { CONSOLE, expectValid, expectValidRussian, untranslated } from './support';

const OPENED = Date.UTC(2026, 10, 30, 2, 0, 0);
const MIN = 60_000;
const ACK_URL =
  'https://abc123.execute-api.us-east-1.amazonaws.com/ack/v1.1234567.low_balance.-.0123456789abcdef0123456789abcdef.1800000000.sig';

function incident(kind: IncidentKind, overrides: Partial<Incident> = {}): Incident {
  return {
    key: { accountId: 1234567, kind, subject: kind === 'sip_registration' ? '4411' : '' },
    incidentId: '0123456789abcdef0123456789abcdef',
    status: 'open',
    openedAt: OPENED,
    openedBy: 'min_balance',
    lastSeenAt: OPENED + 90 * MIN,
    repeats: 3,
    level: 2,
    nextReminderAt: OPENED + 120 * MIN,
    pendingNotices: [],
    facts: { balance: 4.87, currency: 'USD', ...(kind === 'sip_registration' ? { statusCode: 403, errorMessage: 'Forbidden' } : {}) },
    version: 5,
    ...overrides,
  };
}

const REMINDER: Notice = { kind: 'reminder', level: 3, reminder: 2 };
const ACKED: Notice = { kind: 'acknowledged', level: 2 };
const RESOLVED: Notice = { kind: 'resolved', level: 3 };

type Case = [name: string, record: Incident, notice: Notice];
const CASES: Case[] = INCIDENT_KINDS.flatMap((kind): Case[] => [
  [`${kind} reminder`, incident(kind), REMINDER],
  [
    `${kind} acknowledged by a name`,
    incident(kind, { status: 'acknowledged', acknowledgedAt: OPENED + 100 * MIN, acknowledgedBy: 'Anna' }),
    ACKED,
  ],
  [`${kind} acknowledged by someone`, incident(kind, { status: 'acknowledged', acknowledgedAt: OPENED + 100 * MIN }), ACKED],
  [
    `${kind} resolved by the watchdog`,
    incident(kind, { status: 'resolved', resolvedAt: OPENED + 192 * MIN, resolvedBy: 'watchdog', pendingNotices: ['resolved'] }),
    RESOLVED,
  ],
  [
    `${kind} resolved by a card payment`,
    incident(kind, { status: 'resolved', resolvedAt: OPENED + 192 * MIN, resolvedBy: 'card_payment' }),
    RESOLVED,
  ],
  [
    `${kind} resolved by a forged type`,
    incident(kind, { status: 'resolved', resolvedAt: OPENED + 5 * MIN, resolvedBy: 'toString' }),
    RESOLVED,
  ],
]);
const NOW = OPENED + 121 * MIN;

describe('every incident kind and notice, in both languages', () => {
  it.each(CASES)('%s', (_name, record, notice) => {
    const english = renderIncidentNotice(record, notice, { consoleUrl: CONSOLE, now: NOW, alertLanguage: 'en', ackUrl: ACK_URL });
    const russian = renderIncidentNotice(record, notice, { consoleUrl: CONSOLE, now: NOW, alertLanguage: 'ru', ackUrl: ACK_URL });
    expectValid(english);
    expectValidRussian(russian);
    expect(smsSize(english.sms)).toMatchObject({ encoding: 'GSM-7', segments: 1 });
    expect(russian.subject).toBe(english.subject);
    const data = { name: record.acknowledgedBy, error: record.facts.errorMessage };
    expect(untranslated(russian.email, data)).toEqual([]);
    expect(untranslated(russian.sms, data)).toEqual([]);
    for (const alert of [english, russian]) {
      expect(alert).toMatchObject({
        type: INCIDENT_ALERT_TYPES[notice.kind],
        severity: INCIDENT_SEVERITY[record.key.kind],
        escalation: notice.level,
        incident: record.key.kind === 'sip_registration' ? `1234567#sip_registration#4411` : `1234567#${record.key.kind}`,
        callbackId: 0,
        accountId: 1234567,
      });
      // Only a reminder asks to be acknowledged (in chat too).
      if (notice.kind === 'reminder') expect(alert.email).toContain(ACK_URL);
      else expect(alert.email).not.toContain('/ack/');
      // In chat in the reader's language, a valid custom notification in the incident's thread.
      expect(/[а-яё]/i.test(alert.chat!.title)).toBe(alert === russian);
      expect(validateCustomNotification(customNotification(alert))).toBe(true);
      expect(customNotification(alert).metadata?.threadId).toBe(threadIdOf(alert));
      expect(alert.chat!.description.includes('/ack/')).toBe(notice.kind === 'reminder');
    }
  });
});

describe('what they say', () => {
  const en = (record: Incident, notice: Notice, ackUrl?: string) =>
    renderIncidentNotice(record, notice, { consoleUrl: CONSOLE, now: NOW, alertLanguage: 'en', ...(ackUrl ? { ackUrl } : {}) });

  it('a reminder: how long it has been open, the repeats, the last known balance, the link', () => {
    const alert = en(incident('low_balance'), REMINDER, ACK_URL);
    expect(alert.subject).toBe('Voximplant: balance low, still open after 2 h 1 min on account 1234567');
    expect(alert.email).toContain(
      'Reminder: balance low, open for 2 h 1 min and nobody has acknowledged it. Voximplant repeated it 3 times.',
    );
    expect(alert.email).toContain('Last known balance: 4.87 USD');
    expect(alert.email).toContain('Escalation: reminder 2, level 3');
    expect(alert.email).toContain(`Acknowledge (stops the reminders and tells the others): ${ACK_URL}`);
    expect(alert.sms).toBe('Voximplant: balance low, still open after 2 h 1 min. Top up now. Account 1234567.');
  });

  it('names the account as the opening did (its account_name, cleaned), in the subject, SMS, email and chat', () => {
    const named = incident('low_balance', { facts: { balance: 4.87, currency: 'USD', accountName: 'acme\u202e\n<b>' } });
    const alert = en(named, REMINDER, ACK_URL);
    expect(alert.subject).toBe('Voximplant: balance low, still open after 2 h 1 min on acme <b> (1234567)');
    expect(alert.sms).toBe('Voximplant: balance low, still open after 2 h 1 min. Top up now. Account acme <b> (1234567).');
    expect(alert.email).toContain('Account: "acme <b>" (id 1234567)');
    expect(alert.chat!.title).toContain('acme');
  });

  it('a reminder without an acknowledge key says so instead of a link', () => {
    expect(en(incident('low_balance'), REMINDER).email).toContain('No acknowledge link: the stack has no acknowledge key in SSM.');
  });

  it('"acknowledged" names who, or someone', () => {
    const named = incident('low_balance', { status: 'acknowledged', acknowledgedBy: 'Anna\u202e <b>' });
    expect(en(named, ACKED).email).toContain('Anna <b> acknowledged the incident (balance low): reminders stopped.');
    expect(en(incident('account_frozen', { status: 'acknowledged' }), ACKED).sms).toContain('By someone; reminders stopped.');
  });

  it('"resolved" says how and how long it lasted', () => {
    const record = incident('low_balance', { status: 'resolved', resolvedAt: OPENED + 192 * MIN, resolvedBy: 'card_payment' });
    const alert = en(record, RESOLVED);
    expect(alert.subject).toBe('Voximplant: balance low resolved after 3 h 12 min on account 1234567');
    expect(alert.email).toContain('The incident (balance low) was resolved by a card payment. It lasted 3 h 12 min.');
    const watchdog = en({ ...record, resolvedBy: 'watchdog' }, RESOLVED);
    expect(watchdog.email).toContain('resolved by the watchdog seeing the balance back above the threshold.');
  });

  it('Russian: readable, in one UCS-2 segment', () => {
    const record = incident('low_balance', { facts: { balance: 4.87, currency: 'USD', languageCode: 'ru' } });
    const alert = renderIncidentNotice(record, REMINDER, { consoleUrl: CONSOLE, now: NOW });
    expect(alert.sms).toBe('Voximplant: низкий баланс, открыто 2 ч 1 мин. Пополните баланс.');
    expect(alert.email).toContain('Последний известный баланс: 4,87 USD');
  });

  it('durations in both languages', () => {
    const cases: Array<[number, string, string]> = [
      [0, 'under a minute', 'меньше минуты'],
      [45, '45 min', '45 мин'],
      [120, '2 h', '2 ч'],
      [192, '3 h 12 min', '3 ч 12 мин'],
      [1440 * 2 + 60, '2 d 1 h', '2 дн. 1 ч'],
      [-5, 'under a minute', 'меньше минуты'],
    ];
    for (const [minutes, english, russian] of cases) {
      expect(MESSAGES.en.incident.duration(minutes)).toBe(english);
      expect(MESSAGES.ru.incident.duration(minutes)).toBe(russian);
    }
  });

  it('a hostile acknowledger name or error message stays one bounded line', () => {
    const record = incident('sip_registration', {
      status: 'acknowledged',
      acknowledgedBy: 'x\n'.repeat(5000),
      facts: { errorMessage: '\u0000bad\r\nline'.repeat(1000), statusCode: 403 },
    });
    const alert = en(record, ACKED);
    expectValid(alert);
    expect(alert.email.split('\n').every((line) => line.length <= 600)).toBe(true);
  });
});
