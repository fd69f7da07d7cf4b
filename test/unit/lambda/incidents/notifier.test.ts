/**
 * One notifier run over fakes (no AWS): reminders on schedule with an injected clock, each notice once across
 * overlapping runs, a refused publish undone and sent by the next run, an unknown outcome kept, the acknowledge
 * link signed with the key and bound to the incident, metrics, and a table that cannot be read.
 */
import { METRICS } from '../../../../lambda/contract';
import { Deadline } from '../../../../lambda/deadline';
import { acknowledge, open, resolve } from '../../../../lambda/incidents/lifecycle';
import type { Incident, IncidentKey, ReminderSchedule } from '../../../../lambda/incidents/model';
import { acknowledgeUrl, verifyAckToken } from '../../../../lambda/incidents/ack-token';
import { runNotifier, type NotifierDeps } from '../../../../lambda/incidents/notifier';
import type { Alert } from '../../../../lambda/model';
import type { PublishResult, Publisher } from '../../../../lambda/ports';
import { MemoryLog } from '../../../support/fakes';
import { MemoryIncidentStore } from '../../../support/memory-incidents';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 30, 2, 0);
const KEY: IncidentKey = { accountId: 1234567, kind: 'low_balance', subject: '' };
const SCHEDULE: ReminderSchedule = { offsetsMs: [30 * MIN, 120 * MIN], repeatMs: 240 * MIN };
const ID = '0123456789abcdef0123456789abcdef';
const ACK_KEY = 'k'.repeat(43);
const BASE = 'https://abc123.execute-api.us-east-1.amazonaws.com/';

/** Publishes, refuses (`refuse`) or reports an unknown outcome (`unknown`) by alert type. */
class TypedPublisher implements Publisher {
  readonly sent: Alert[] = [];
  refuse = new Set<string>();
  unknown = new Set<string>();
  async publish(alerts: readonly Alert[]): Promise<PublishResult> {
    const failed = alerts.filter((a) => this.refuse.has(a.type));
    const ambiguous = alerts.filter((a) => !this.refuse.has(a.type) && this.unknown.has(a.type));
    this.sent.push(...alerts.filter((a) => !this.refuse.has(a.type)));
    return { published: alerts.filter((a) => !failed.includes(a) && !ambiguous.includes(a)), failed, ambiguous };
  }
}

function setup(options: { ackKey?: string | Error } = { ackKey: ACK_KEY }) {
  let now = T0;
  const store = new MemoryIncidentStore();
  const publisher = new TypedPublisher();
  const metrics: Record<string, number> = {};
  const deps: NotifierDeps = {
    store,
    publisher,
    ackKey: {
      get: async () => {
        if (options.ackKey instanceof Error) throw options.ackKey;
        return options.ackKey;
      },
    },
    log: new MemoryLog(),
    metrics: {
      count: (name, value) => void (metrics[name] = (metrics[name] ?? 0) + value),
      gauge: (name, value) => void (metrics[name] = value),
    },
    schedule: SCHEDULE,
    consoleUrl: 'https://manage.voximplant.com/',
    ackBaseUrl: BASE,
    alertLanguage: 'en',
    now: () => now,
  };
  const run = () => runNotifier(deps, Deadline.in(20_000));
  const at = (minutes: number) => void (now = T0 + minutes * MIN);
  const openIt = async () => {
    const { next } = open(
      undefined,
      KEY,
      { at: T0, by: 'min_balance', callbackId: 1, facts: { balance: 4.87, currency: 'USD' }, newIncidentId: ID },
      SCHEDULE,
    );
    expect(await store.put(next!, 0)).toBe(true);
  };
  const change = async (f: (current: Incident) => Incident | undefined) => {
    const current = (await store.get(KEY))!;
    expect(await store.put(f(current)!, current.version)).toBe(true);
  };
  return { store, publisher, metrics, deps, run, at, openIt, change };
}

const kinds = (alerts: readonly Alert[]) => alerts.map((a) => `${a.type}@${a.escalation}`);

describe('reminders on schedule (injected clock)', () => {
  it('none before the first offset; one per offset; then every repeatMs; overdue ones sent once', async () => {
    const t = setup();
    await t.openIt();
    const sentAt: string[] = [];
    for (const minute of [0, 29, 30, 31, 119, 120, 121, 359, 360, 600, 1500]) {
      t.at(minute);
      const before = t.publisher.sent.length;
      await t.run();
      for (const alert of t.publisher.sent.slice(before)) sentAt.push(`${minute}:${alert.type}@${alert.escalation}`);
    }
    // 30, 120, then every 240 from 120: 360, 600, 840 (missed while "down", sent once at 1500), not 1080 and 1320 too.
    expect(sentAt).toEqual([
      '30:incident_reminder@2',
      '120:incident_reminder@3',
      '360:incident_reminder@4',
      '600:incident_reminder@5',
      '1500:incident_reminder@6',
    ]);
    expect((await t.store.get(KEY))!.nextReminderAt).toBe(T0 + 1560 * MIN);
  });

  it('a reminder carries a fresh acknowledge link bound to the incident, valid for a week', async () => {
    const t = setup();
    await t.openIt();
    t.at(30);
    await t.run();
    const [reminder] = t.publisher.sent;
    const link = /https:\/\/\S+\/ack\/(\S+)/.exec(reminder.email)!;
    expect(link[0].startsWith(`${BASE}ack/`)).toBe(true);
    const check = verifyAckToken(link[1], ACK_KEY, T0 + 30 * MIN);
    expect(check).toEqual({
      ok: true,
      claims: { key: KEY, incidentId: ID, expiresAt: Math.floor((T0 + 30 * MIN + 7 * 86_400_000) / 1000) },
    });
    expect(reminder).toMatchObject({ incident: '1234567#low_balance', escalation: 2, severity: 'critical' });
  });

  it('no key, or SSM failing: the reminder goes out without a link', async () => {
    for (const ackKey of [undefined, new Error('SSM down')]) {
      const t = setup({ ackKey });
      await t.openIt();
      t.at(30);
      await t.run();
      expect(t.publisher.sent).toHaveLength(1);
      expect(t.publisher.sent[0].email).toContain('No acknowledge link');
    }
  });
});

describe('acknowledged and resolved', () => {
  it('acknowledging: one "acknowledged" notice, then no reminders; resolving: one "resolved"', async () => {
    const t = setup();
    await t.openIt();
    t.at(30);
    await t.run();
    await t.change((c) => acknowledge(c, { incidentId: ID, at: T0 + 40 * MIN, by: 'Anna' }).next);
    for (const minute of [41, 42, 120, 500]) {
      t.at(minute);
      await t.run();
    }
    await t.change((c) => resolve(c, { at: T0 + 512 * MIN, by: 'card_payment' }));
    for (const minute of [513, 514]) {
      t.at(minute);
      await t.run();
    }
    expect(kinds(t.publisher.sent)).toEqual(['incident_reminder@2', 'incident_acknowledged@2', 'incident_resolved@2']);
    expect(t.publisher.sent[1].email).toContain('Anna acknowledged');
    expect(t.publisher.sent[2].email).toContain('It lasted 8 h 32 min.');
    expect(await t.store.active()).toEqual([]);
  });
});

describe('each notice once', () => {
  it('two overlapping runs (Promise.all) send each reminder and notice once', async () => {
    const t = setup();
    await t.openIt();
    t.at(30);
    const [a, b] = await Promise.all([t.run(), t.run()]);
    expect(a.sent.reminder + b.sent.reminder).toBe(1);
    await t.change((c) => resolve(c, { at: T0 + 35 * MIN, by: 'watchdog' }));
    t.at(36);
    await Promise.all([t.run(), t.run(), t.run()]);
    expect(kinds(t.publisher.sent)).toEqual(['incident_reminder@2', 'incident_resolved@2']);
    expect(t.store.conflicts).toBeGreaterThan(0);
  });

  it('a refused publish is undone and sent by the next run; counted as a failure', async () => {
    const t = setup();
    await t.openIt();
    t.at(30);
    t.publisher.refuse.add('incident_reminder');
    const first = await t.run();
    expect(first).toMatchObject({ refused: 1, sent: { reminder: 0 } });
    expect((await t.store.get(KEY))!.level).toBe(1);
    expect(t.metrics[METRICS.names.notifierFailures]).toBe(1);
    t.publisher.refuse.clear();
    t.at(31);
    await t.run();
    expect(kinds(t.publisher.sent)).toEqual(['incident_reminder@2']);
  });

  it('an unknown outcome is kept: not sent again (at most once)', async () => {
    const t = setup();
    await t.openIt();
    t.at(30);
    t.publisher.unknown.add('incident_reminder');
    expect(await t.run()).toMatchObject({ ambiguous: 1 });
    t.publisher.unknown.clear();
    t.at(31);
    await t.run();
    expect(t.publisher.sent).toHaveLength(1);
    expect(t.metrics[METRICS.names.publishAmbiguous]).toBe(1);
  });
});

describe('metrics and failures', () => {
  it('OpenIncidents counts open and acknowledged, not resolved; reminders and notices are counted', async () => {
    const t = setup();
    await t.openIt();
    const other: IncidentKey = { accountId: 1234567, kind: 'account_frozen', subject: '' };
    const { next } = open(undefined, other, { at: T0, by: 'account_is_frozen', facts: {}, newIncidentId: ID }, SCHEDULE);
    await t.store.put(acknowledge(next, { incidentId: ID, at: T0 })!.next!, 0);
    t.at(30);
    await t.run();
    expect(t.metrics).toMatchObject({
      [METRICS.names.openIncidents]: 2,
      [METRICS.names.remindersSent]: 1,
      [METRICS.names.noticesSent]: 1,
      [METRICS.names.published]: 2,
    });
  });

  it('a table that cannot be read: nothing sent, a failure counted, no throw', async () => {
    const t = setup();
    await t.openIt();
    t.store.failing = true;
    t.at(30);
    expect(await t.run()).toMatchObject({ kind: 'unavailable' });
    expect(t.publisher.sent).toEqual([]);
    expect(t.metrics[METRICS.names.notifierFailures]).toBe(1);
  });

  it('acknowledgeUrl joins the base URL and a token that verifies, with or without a trailing slash', () => {
    const incident = { key: { accountId: 1, kind: 'low_balance' as const, subject: '' }, incidentId: '0123456789abcdef0123456789abcdef' };
    for (const base of ['https://x.example/', 'https://x.example']) {
      const url = acknowledgeUrl(incident, base, 'k', 0);
      expect(url).toMatch(/^https:\/\/x\.example\/ack\/v1\.1\.low_balance\.-\./);
      expect(verifyAckToken(url.split('/ack/')[1], 'k', 0)).toMatchObject({ ok: true, claims: incident });
    }
    expect(acknowledgeUrl(incident, 'https://x.example/prod', 'k', 0)).toMatch(/^https:\/\/x\.example\/prod\/ack\//);
  });
});
