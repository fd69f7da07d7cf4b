/**
 * The webhook's incident phase (lambda/incidents/track.ts) through the whole pipeline, with in-memory edges:
 * which callbacks open, fold or resolve, what the opening alert carries, and that a store failure never costs
 * an alert. The store is MemoryIncidentStore (test/support), which counts its calls.
 */
import { METRICS } from '../../../../lambda/contract';
import { Deadline } from '../../../../lambda/deadline';
import { handleWebhook } from '../../../../lambda/http';
import { verifyAckToken } from '../../../../lambda/incidents/ack-token';
import { DEFAULT_REMINDER_SCHEDULE } from '../../../../lambda/incidents/model';
import { MAX_SIP_INCIDENTS, openedBy, resolvedBy, sipRegistrations } from '../../../../lambda/incidents/track';
import type { CallbackItem } from '../../../../lambda/model';
import { parkable, receive } from '../../../../lambda/pipeline';
import { buildCallback, envelope, sampleCallback } from '../../../../local/callbacks';
import { httpEvent, SECRETS, VOX } from '../../../../local/fixtures';
import { fakeDeps } from '../../../support/fakes';
import { MemoryIncidentStore } from '../../../support/memory-incidents';

const NOW = 1_700_000_000_000;
const ACK_KEY = 'k'.repeat(43);
const API_URL = 'https://abc123.execute-api.eu-west-1.amazonaws.com';
const ACCOUNT = Number(VOX.accountId);

function setup(env: Record<string, string> = {}) {
  const store = new MemoryIncidentStore();
  let ids = 0;
  const deps = {
    ...fakeDeps(env),
    incidents: { store, now: () => NOW, apiUrl: API_URL, newIncidentId: () => (++ids).toString(16).padStart(32, '0') },
  };
  deps.secrets.secrets = { ...SECRETS, ackKey: ACK_KEY };
  return { deps, store };
}

const post = (body: string, deps: ReturnType<typeof setup>['deps']) => handleWebhook(httpEvent(body), deps, () => NOW);
const bodyOf = (result: { body?: string }) => JSON.parse(result.body ?? '{}');
const lowBalance = { accountId: ACCOUNT, kind: 'low_balance', subject: '' } as const;
const linksIn = (email: string) => [...email.matchAll(/https:\/\/\S+\/ack\/(\S+)/g)].map((m) => m[1]);

describe('the webhook opens, folds and resolves incidents', () => {
  it('opens an incident for a min_balance: the alert carries escalation 1, the key and one acknowledge link', async () => {
    const { deps, store } = setup();
    const result = await post(envelope(buildCallback(VOX, { callbackId: 1 })), deps);
    expect(bodyOf(result)).toEqual({ accepted: 1, duplicates: 0, ignored: 0, rejected: 0 });
    const [alert] = deps.publisher.sent;
    expect(alert).toMatchObject({ escalation: 1, incident: `${ACCOUNT}#low_balance` });
    const incident = store.of(lowBalance)!;
    expect(incident).toMatchObject({
      status: 'open',
      openedBy: 'min_balance',
      openingCallbackId: 1,
      level: 1,
      facts: { balance: 4.87, currency: 'USD' },
    });
    expect(incident.nextReminderAt).toBe(NOW + DEFAULT_REMINDER_SCHEDULE.offsetsMs[0]);
    const [token] = linksIn(alert.email);
    const check = verifyAckToken(token, ACK_KEY, NOW);
    expect(check).toEqual({ ok: true, claims: { key: lowBalance, incidentId: incident.incidentId, expiresAt: NOW / 1000 + 7 * 86_400 } });
    expect(alert.email).toContain(`${API_URL}/ack/${token}`);
    expect(alert.email).toContain('Reminders follow until someone acknowledges this or it is resolved.');
    expect(alert.sms).not.toContain('/ack/');
    // Chat carries it too (Slack, Teams, Telegram).
    expect(alert.chat!.description).toContain(`${API_URL}/ack/${token}`);
    expect(store.calls).toEqual(['get', 'put']);
  });

  it('writes the link in the alert language (ru)', async () => {
    const { deps } = setup({ ALERT_LANGUAGE: 'ru' });
    await post(envelope(buildCallback(VOX, { callbackId: 1 })), deps);
    expect(deps.publisher.sent[0].email).toMatch(/Подтвердить получение \(.*\): https:\/\/\S+\/ack\/v1\./);
    expect(deps.publisher.sent[0].email).toContain('Напоминания будут приходить');
  });

  it('folds a repeated min_balance into the open incident: not published, answered as a duplicate, counted', async () => {
    const { deps, store } = setup();
    await post(envelope(buildCallback(VOX, { callbackId: 1 })), deps);
    const result = await post(envelope(buildCallback(VOX, { callbackId: 2, data: { is_min_credit: false, is_repeated: true } })), deps);
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toEqual({ accepted: 0, duplicates: 1, ignored: 0, rejected: 0 });
    expect(deps.publisher.sent).toHaveLength(1);
    expect(deps.counts[METRICS.names.incidentRepeatsFolded]).toBe(1);
    expect(deps.counts[METRICS.names.duplicates] ?? 0).toBe(0);
    expect(deps.dedupe.records.get(`${ACCOUNT}#2`)).toBe('done');
    expect(store.of(lowBalance)).toMatchObject({ repeats: 1, version: 2 });
    expect(deps.log.text()).toContain('"folded"');
  });

  it('alerts again, with the same incident and link, for a retry of the opening callback whose publish failed', async () => {
    const { deps, store } = setup();
    deps.publisher.failing = 'all';
    expect((await post(envelope(buildCallback(VOX, { callbackId: 1 })), deps)).statusCode).toBe(202);
    deps.publisher.failing = new Set();
    const retried = await receive(deps.retryQueue.parked[0].body, deps, Deadline.in(9_000), { verified: true });
    expect(retried).toMatchObject({ kind: 'done', statusCode: 200 });
    expect(deps.publisher.sent).toHaveLength(1);
    expect(deps.publisher.sent[0]).toMatchObject({ escalation: 1 });
    expect(verifyAckToken(linksIn(deps.publisher.sent[0].email)[0], ACK_KEY, NOW)).toMatchObject({
      ok: true,
      claims: { incidentId: store.of(lowBalance)!.incidentId },
    });
    expect(store.of(lowBalance)!.version).toBe(1);
  });

  it('reads the secrets on a parked retry only when an incident opened, for its link', async () => {
    const { deps } = setup({ ALERT_TYPES: '*' });
    const parked = (item: Record<string, unknown>) => JSON.stringify({ callbacks: [parkable(item, false)] });
    await receive(parked(sampleCallback(VOX, { callbackId: 5, type: 'js_fail' })), deps, Deadline.in(9_000), { verified: true });
    expect(deps.secrets.calls).toBe(0);
    await receive(parked(buildCallback(VOX, { callbackId: 6 })), deps, Deadline.in(9_000), { verified: true });
    expect(deps.secrets.calls).toBe(1);
    expect(linksIn(deps.publisher.sent[1].email)).toHaveLength(1);
  });

  it.each([
    ['js_fail', '*'],
    ['card_expired', '*'],
    ['min_balance', 'card_payment'], // not forwarded: no alert, so no incident either
  ])('makes no incident call at all for a %s callback', async (type, alertTypes) => {
    const { deps, store } = setup({ ALERT_TYPES: alertTypes });
    await post(envelope(sampleCallback(VOX, { callbackId: 3, type })), deps);
    expect(store.calls).toEqual([]);
    expect(deps.publisher.sent.every((a) => a.escalation === undefined && a.incident === undefined)).toBe(true);
  });

  it('resolves the balance incident on a card_payment it does not forward, and a replay of that payment resolves nothing', async () => {
    const { deps, store } = setup();
    await post(envelope(buildCallback(VOX, { callbackId: 1 })), deps);
    const payment = sampleCallback(VOX, { callbackId: 2, type: 'card_payment' });
    expect(bodyOf(await post(envelope(payment), deps))).toEqual({ accepted: 0, duplicates: 0, ignored: 1, rejected: 0 });
    expect(store.of(lowBalance)).toMatchObject({
      status: 'resolved',
      resolvedBy: 'card_payment',
      resolvedAt: NOW,
      pendingNotices: ['resolved'],
    });
    // low_balance and card_payment_failed: one get each; only the open one is written.
    expect(store.calls.slice(2).sort()).toEqual(['get', 'get', 'put']);
    const before = store.calls.length;
    await post(envelope(payment), deps);
    expect(store.calls).toHaveLength(before);
    expect(deps.publisher.sent).toHaveLength(1);
  });

  it('opens one incident per SIP registration, with a link each, and resolves only the one that recovered', async () => {
    const { deps, store } = setup({ ALERT_TYPES: '*' });
    const registrations = [
      { sip_registration_id: 11, status_code: 403, error_message: 'Forbidden' },
      { sip_registration_id: '12', status_code: 408 },
      { sip_registration_id: '../13', status_code: 500 }, // not an id: no incident, still shown in the alert
    ];
    await post(
      envelope(buildCallback(VOX, { callbackId: 1, type: 'sip_registration_fail', data: { sip_registrations: registrations } })),
      deps,
    );
    const sip = (subject: string) => ({ accountId: ACCOUNT, kind: 'sip_registration', subject }) as const;
    expect(store.of(sip('11'))).toMatchObject({ status: 'open', facts: { statusCode: 403, errorMessage: 'Forbidden' } });
    expect(store.of(sip('12'))).toMatchObject({ status: 'open', facts: { statusCode: 408 } });
    expect(store.records.size).toBe(2);
    const [alert] = deps.publisher.sent;
    expect(alert.incident).toBe(`${ACCOUNT}#sip_registration#11`);
    expect(linksIn(alert.email).map((t) => (verifyAckToken(t, ACK_KEY, NOW) as { claims: { key: unknown } }).claims.key)).toEqual([
      sip('11'),
      sip('12'),
    ]);
    await post(
      envelope(
        buildCallback(VOX, {
          callbackId: 2,
          type: 'sip_registration_recovered',
          data: { sip_registrations: [{ sip_registration_id: 12 }] },
        }),
      ),
      deps,
    );
    expect(store.of(sip('11'))!.status).toBe('open');
    expect(store.of(sip('12'))!.status).toBe('resolved');
  });

  it('publishes the opening alert without its incident when the store fails, and counts it', async () => {
    const { deps, store } = setup();
    store.failWith = 'ProvisionedThroughputExceededException';
    const result = await post(envelope(buildCallback(VOX, { callbackId: 1 })), deps);
    expect(result.statusCode).toBe(200);
    expect(deps.publisher.sent).toHaveLength(1);
    expect(deps.publisher.sent[0].escalation).toBeUndefined();
    expect(linksIn(deps.publisher.sent[0].email)).toEqual([]);
    expect(deps.counts[METRICS.names.incidentStoreUnavailable]).toBe(1);
    expect(deps.log.text()).toContain('Incident store unavailable');
  });

  it('answers a payment 200 when its resolve fails (counted, logged): a later payment or watchdog pass resolves it', async () => {
    const { deps, store } = setup();
    await post(envelope(buildCallback(VOX, { callbackId: 1 })), deps);
    store.failWith = 'unavailable';
    const result = await post(envelope(sampleCallback(VOX, { callbackId: 2, type: 'wire_transfer' })), deps);
    expect(result.statusCode).toBe(200);
    expect(deps.counts[METRICS.names.incidentStoreUnavailable]).toBe(2);
    expect(deps.retryQueue.parked).toHaveLength(0);
  });

  it('gives a stalled store only its slice: the alert still goes out, untracked, long before the deadline', async () => {
    const { deps, store } = setup();
    store.get = (_key, signal) => new Promise((_, reject) => signal!.addEventListener('abort', () => reject(signal!.reason)));
    const started = performance.now();
    const outcome = await receive(envelope(buildCallback(VOX, { callbackId: 1 })), deps, Deadline.in(9_000));
    console.log(`stalled incident store: decided in ${Math.round(performance.now() - started)} ms`);
    expect(outcome).toMatchObject({ kind: 'done', statusCode: 200 });
    expect(deps.publisher.sent).toHaveLength(1);
    expect(deps.counts[METRICS.names.incidentStoreUnavailable]).toBe(1);
  });
});

describe('what a callback opens and resolves (pure)', () => {
  const item = (type: string, data: unknown, fields: Record<string, unknown> = {}): CallbackItem => ({
    callbackId: 1,
    accountId: 7,
    type,
    hash: '',
    fields: { type, [type]: data, ...fields },
  });

  it.each([
    ['min_balance', ['low_balance']],
    ['next_charge_alert', ['low_balance']],
    ['account_is_frozen', ['account_frozen']],
    ['card_payment_failed', ['card_payment_failed']],
    ['js_fail', []],
    ['__proto__', []],
    ['constructor', []],
  ])('%s opens %j', (type, kinds) => {
    expect(openedBy(item(type, {})).map((o) => o.key.kind)).toEqual(kinds);
  });

  it.each([
    ['card_payment', ['low_balance', 'card_payment_failed']],
    ['robokassa_payment', ['low_balance', 'card_payment_failed']],
    ['wire_transfer', ['low_balance', 'card_payment_failed']],
    ['account_is_unfrozen', ['account_frozen']],
    ['min_balance', []],
    ['toString', []],
  ])('%s resolves %j', (type, kinds) => {
    expect(resolvedBy(item(type, {})).map((k) => k.kind)).toEqual(kinds);
  });

  it(`keys at most ${MAX_SIP_INCIDENTS} distinct registrations, digits only, nested or not`, () => {
    const many = Array.from({ length: 50 }, (_, i) => ({ sip_registration_id: i % 30 }));
    expect(sipRegistrations(item('sip_registration_fail', { sip_registrations: many })).map((r) => r.id)).toEqual(
      Array.from({ length: MAX_SIP_INCIDENTS }, (_, i) => String(i)),
    );
    const hostile = [
      { sip_registration_id: -1 },
      { sip_registration_id: 1.5 },
      { sip_registration_id: 'x' },
      { sip_registration_id: '1'.repeat(21) },
      null,
      99,
    ];
    expect(sipRegistrations(item('sip_registration_fail', { sip_registrations: hostile })).map((r) => r.id)).toEqual(['99']);
    const nested = item('sip_registration_fail', { sip_registration_fail: { sip_registrations: [{ sip_registration_id: 5 }] } });
    expect(sipRegistrations(nested).map((r) => r.id)).toEqual(['5']);
  });
});
