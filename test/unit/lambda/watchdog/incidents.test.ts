/**
 * The watchdog's incidents (lambda/watchdog/incidents.ts) through runPass with in-memory edges: an opening alerts
 * only when its incident opened, a clearing leaves the one "resolved" to the notifier, a pass with the balance back
 * resolves 'low_balance', and a store failure falls back to the watchdog's own alerts.
 */
import { METRICS } from '../../../../lambda/contract';
import { Deadline } from '../../../../lambda/deadline';
import { verifyAckToken } from '../../../../lambda/incidents/ack-token';
import { open } from '../../../../lambda/incidents/lifecycle';
import { DEFAULT_REMINDER_SCHEDULE, type IncidentKey } from '../../../../lambda/incidents/model';
import { runPass } from '../../../../lambda/watchdog/pass';
import { VOX } from '../../../../local/fixtures';
import { FakePublisher } from '../../../support/fakes';
import { MemoryIncidentStore } from '../../../support/memory-incidents';
import { linkedAccount, watchDeps } from '../../../support/watchdog-doubles';

const WEBHOOK = 'https://abc123.execute-api.us-east-1.amazonaws.com/';
const API_URL = 'https://abc123.execute-api.us-east-1.amazonaws.com';
const ACK_KEY = 'w'.repeat(43);
const ACCOUNT = Number(VOX.accountId);
const T0 = Date.UTC(2026, 0, 1);
const frozenKey: IncidentKey = { accountId: ACCOUNT, kind: 'account_frozen', subject: '' };
const lowKey: IncidentKey = { accountId: ACCOUNT, kind: 'low_balance', subject: '' };

function setup(options: { incidents?: boolean } = {}) {
  let clock = T0;
  let ids = 0;
  const account = linkedAccount(WEBHOOK);
  const incidents = new MemoryIncidentStore();
  const counts: Record<string, number> = {};
  const publisher = new FakePublisher();
  const deps = watchDeps({
    account,
    publisher,
    now: () => clock,
    webhookUrl: WEBHOOK,
    ackKey: ACK_KEY,
    sightings: { lastVerifiedAt: T0, lastMinBalanceAt: T0 },
    metrics: { count: (name, value) => void (counts[name] = (counts[name] ?? 0) + value), gauge: () => undefined },
    ...(options.incidents === false
      ? {}
      : {
          incidents: { store: incidents, now: () => clock, apiUrl: API_URL, newIncidentId: () => (++ids).toString(16).padStart(32, '0') },
        }),
  });
  const pass = async (minutes = 15) => {
    clock += minutes * 60_000;
    return runPass(deps, Deadline.in(20_000));
  };
  return { deps, account, incidents, publisher, counts, pass, now: () => clock };
}

describe('the watchdog with incidents', () => {
  it('opens the frozen incident with its alert (escalation 1, a link), and on unfreezing resolves it without a "cleared" alert', async () => {
    const { account, incidents, publisher, pass, now } = setup();
    await pass();
    account.frozen = true;
    await pass();
    expect(publisher.sent.map((a) => a.type)).toEqual(['watchdog_account_frozen']);
    const [alert] = publisher.sent;
    expect(alert).toMatchObject({ escalation: 1, incident: `${ACCOUNT}#account_frozen` });
    const token = /\/ack\/(\S+)/.exec(alert.email)![1];
    expect(verifyAckToken(token, ACK_KEY, now())).toMatchObject({
      ok: true,
      claims: { key: frozenKey, incidentId: incidents.of(frozenKey)!.incidentId },
    });
    expect(incidents.of(frozenKey)).toMatchObject({ status: 'open', openedBy: 'watchdog' });

    account.frozen = false;
    await pass();
    expect(publisher.sent).toHaveLength(1); // no "account unfrozen": the notifier's "resolved" says it, once
    expect(incidents.of(frozenKey)).toMatchObject({ status: 'resolved', resolvedBy: 'watchdog', pendingNotices: ['resolved'] });
  });

  it('folds into the incident a callback opened: no second opening alert', async () => {
    const { account, incidents, publisher, pass, now } = setup();
    const byCallback = open(
      undefined,
      frozenKey,
      { at: now(), by: 'account_is_frozen', callbackId: 9, facts: {}, newIncidentId: 'c'.repeat(32) },
      DEFAULT_REMINDER_SCHEDULE,
    );
    incidents.records.set(`${ACCOUNT}#account_frozen`, { ...byCallback.next!, version: 1 });
    account.frozen = true;
    await pass();
    expect(publisher.sent).toEqual([]);
    expect(incidents.of(frozenKey)).toMatchObject({ incidentId: 'c'.repeat(32), repeats: 1 });
  });

  it('resolves the low-balance incident on a pass that reads the balance back at or above the threshold', async () => {
    const { account, incidents, publisher, pass, now } = setup();
    const byCallback = open(
      undefined,
      lowKey,
      { at: now(), by: 'min_balance', callbackId: 9, facts: {}, newIncidentId: 'c'.repeat(32) },
      DEFAULT_REMINDER_SCHEDULE,
    );
    incidents.records.set(`${ACCOUNT}#low_balance`, { ...byCallback.next!, version: 1 });
    account.balance = 5;
    await pass();
    expect(incidents.of(lowKey)!.status).toBe('open');
    account.balance = 10;
    await pass();
    expect(incidents.of(lowKey)).toMatchObject({ status: 'resolved', resolvedBy: 'watchdog' });
    expect(publisher.sent).toEqual([]);
  });

  it('reads (never writes) the incident table on a quiet pass: one get per kind the account answer can resolve', async () => {
    const { incidents, pass } = setup();
    await pass();
    expect(incidents.calls.sort()).toEqual(['get', 'get']);
  });

  it('falls back to its own alerts when the store fails, and counts it', async () => {
    const { account, incidents, publisher, counts, pass } = setup();
    incidents.failWith = 'unavailable';
    account.frozen = true;
    await pass();
    account.frozen = false;
    await pass();
    expect(publisher.sent.map((a) => [a.type, a.escalation])).toEqual([
      ['watchdog_account_frozen', undefined],
      ['watchdog_account_frozen_cleared', undefined],
    ]);
    expect(counts[METRICS.names.incidentStoreUnavailable]).toBeGreaterThanOrEqual(3);
  });

  it('withdraws the incident of an opening whose alert SNS refused, so the next pass opens and alerts again', async () => {
    const { account, incidents, publisher, pass } = setup();
    account.frozen = true;
    publisher.failing = 'all';
    await pass();
    expect(incidents.of(frozenKey)).toMatchObject({ status: 'resolved', resolvedBy: 'withdrawn', pendingNotices: [] });
    publisher.failing = new Set();
    await pass();
    expect(publisher.sent.map((a) => [a.type, a.escalation])).toEqual([['watchdog_account_frozen', 1]]);
    expect(incidents.of(frozenKey)).toMatchObject({ status: 'open', incidentId: '2'.padStart(32, '0') });
  });

  it('alerts on its own as before when incidents are off', async () => {
    const { account, publisher, pass } = setup({ incidents: false });
    account.frozen = true;
    await pass();
    account.frozen = false;
    await pass();
    expect(publisher.sent.map((a) => a.type)).toEqual(['watchdog_account_frozen', 'watchdog_account_frozen_cleared']);
  });
});
