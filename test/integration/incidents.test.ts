/**
 * Incidents on moto: the DynamoDB adapter itself (versioned puts that race, the TTL attribute, the notifier's
 * filtered scan), the incident calls each callback type adds to the webhook (counted on the wire), and a property
 * test: random sequences of opening and resolving callbacks (duplicates and is_repeated included), watchdog passes,
 * acknowledgements and overlapping notifier runs, through the real pipeline, watchdog pass and adapter.
 */
import { randomUUID } from 'node:crypto';
import { DeleteItemCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { DynamoIncidentStore } from '../../lambda/aws/dynamo-incidents';
import { INCIDENT_TABLE } from '../../lambda/contract';
import { Deadline } from '../../lambda/deadline';
import { verifyAckToken } from '../../lambda/incidents/ack-token';
import { acknowledge, nextNotice, open, resolve, type Notice } from '../../lambda/incidents/lifecycle';
import { DEFAULT_REMINDER_SCHEDULE, incidentKeyString, type Incident, type IncidentKey } from '../../lambda/incidents/model';
import { update } from '../../lambda/incidents/update';
import { receive } from '../../lambda/pipeline';
import { runPass } from '../../lambda/watchdog/pass';
import { buildCallback, envelope, sampleCallback } from '../../local/callbacks';
import { SECRETS, VOX } from '../../local/fixtures';
import { createTable } from '../../local/provision';
import { fakeDeps } from '../support/fakes';
import { linkedAccount, watchDeps } from '../support/watchdog-doubles';

const ACCOUNT = Number(VOX.accountId);
const ACK_KEY = 'p'.repeat(43);
const API_URL = 'https://abc123.execute-api.us-east-1.amazonaws.com';
const WEBHOOK = `${API_URL}/`;
const MIN = 60_000;
const signal = () => AbortSignal.timeout(10_000);

let dynamodb: DynamoDBClient;
/** DynamoDB requests by command name, counted on the client's wire (middleware), reset by tests. */
const requests: string[] = [];
let tableName: string;

beforeAll(async () => {
  dynamodb = new DynamoDBClient({ endpoint: process.env.MOTO_ENDPOINT });
  dynamodb.middlewareStack.add(
    (next, context) => async (args) => {
      requests.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'countRequests' },
  );
  tableName = `incidents-${randomUUID().slice(0, 8)}`;
  await createTable(dynamodb, tableName, INCIDENT_TABLE);
});

afterAll(() => dynamodb.destroy());

const keyOf = (kind: IncidentKey['kind'], subject = ''): IncidentKey => ({ accountId: ACCOUNT, kind, subject });
const ALL_KEYS = [
  keyOf('low_balance'),
  keyOf('account_frozen'),
  keyOf('card_payment_failed'),
  keyOf('sip_registration', '1'),
  keyOf('sip_registration', '2'),
];

async function clearTable(): Promise<void> {
  await Promise.all(
    ALL_KEYS.map((key) =>
      dynamodb.send(new DeleteItemCommand({ TableName: tableName, Key: { [INCIDENT_TABLE.partitionKey]: { S: incidentKeyString(key) } } })),
    ),
  );
  requests.length = 0;
}

describe('DynamoIncidentStore on moto', () => {
  beforeEach(clearTable);
  const key = keyOf('low_balance');
  const first = (id = 'a') =>
    open(
      undefined,
      key,
      { at: Date.now(), by: 'min_balance', callbackId: 1, facts: {}, newIncidentId: id.repeat(32) },
      DEFAULT_REMINDER_SCHEDULE,
    ).next!;

  it('lets exactly one of two racing first puts land, and one of two puts on the same version', async () => {
    const store = new DynamoIncidentStore(dynamodb, tableName);
    expect((await Promise.all([store.put(first('a'), 0, signal()), store.put(first('b'), 0, signal())])).sort()).toEqual([false, true]);
    const current = (await store.get(key, signal()))!;
    expect(current.version).toBe(1);
    const next = { ...current, repeats: 1 };
    expect((await Promise.all([store.put(next, 1, signal()), store.put(next, 1, signal())])).sort()).toEqual([false, true]);
    expect(await store.put(next, 1, signal())).toBe(false); // a stale version never lands
    expect((await store.get(key, signal()))!.version).toBe(2);
  });

  it('writes the TTL attribute (epoch seconds) and status/pending as plain attributes', async () => {
    const store = new DynamoIncidentStore(dynamodb, tableName);
    await store.put(first(), 0, signal());
    const { Item } = await dynamodb.send(
      new GetItemCommand({ TableName: tableName, Key: { pk: { S: incidentKeyString(key) } }, ConsistentRead: true }),
    );
    expect(Item).toMatchObject({ status: { S: 'open' }, pending: { N: '0' }, version: { N: '1' } });
    const expires = Number(Item![INCIDENT_TABLE.ttlAttribute].N);
    expect(expires).toBeGreaterThan(Date.now() / 1000 + 300 * 86_400);
    expect(expires).toBeLessThan(Date.now() / 1000 + 400 * 86_400);
  });

  it('lists open incidents and resolved ones with a notice pending, not resolved ones whose notice went out', async () => {
    const store = new DynamoIncidentStore(dynamodb, tableName);
    const frozen = keyOf('account_frozen');
    const sip = keyOf('sip_registration', '1');
    const at = Date.now();
    const opening = { at, by: 'x', facts: {}, newIncidentId: 'c'.repeat(32) };
    await store.put(first(), 0, signal());
    const resolvedPending = resolve({ ...open(undefined, frozen, opening, DEFAULT_REMINDER_SCHEDULE).next!, version: 0 }, { at, by: 'y' })!;
    await store.put(resolvedPending, 0, signal());
    await store.put(
      {
        ...resolve({ ...open(undefined, sip, opening, DEFAULT_REMINDER_SCHEDULE).next!, version: 0 }, { at, by: 'y' })!,
        pendingNotices: [],
      },
      0,
      signal(),
    );
    const active = await store.active(signal());
    expect(active.map((i) => incidentKeyString(i.key)).sort()).toEqual([incidentKeyString(frozen), incidentKeyString(key)].sort());
  });
});

describe('incident calls the webhook adds, counted on the wire', () => {
  beforeEach(clearTable);

  function deps() {
    const d = {
      ...fakeDeps({ ALERT_TYPES: '*' }),
      incidents: { store: new DynamoIncidentStore(dynamodb, tableName), now: Date.now, apiUrl: API_URL },
    };
    d.secrets.secrets = { ...SECRETS, ackKey: ACK_KEY };
    return d;
  }
  const post = async (d: ReturnType<typeof deps>, item: Record<string, unknown>) => {
    requests.length = 0;
    await receive(envelope(item), d, Deadline.in(9_000));
    return [...requests].sort();
  };

  it('0 for a callback that opens or resolves nothing; GetItem + PutItem per incident otherwise', async () => {
    const d = deps();
    const measured: Record<string, string[]> = {};
    measured['js_fail'] = await post(d, sampleCallback(VOX, { callbackId: 1, type: 'js_fail' }));
    measured['card_expired'] = await post(d, sampleCallback(VOX, { callbackId: 2, type: 'card_expired' }));
    measured['min_balance (opens)'] = await post(d, buildCallback(VOX, { callbackId: 3 }));
    measured['min_balance (folds)'] = await post(
      d,
      buildCallback(VOX, { callbackId: 4, data: { is_min_credit: false, is_repeated: true } }),
    );
    measured['card_payment (resolves 1 of 2 kinds)'] = await post(d, sampleCallback(VOX, { callbackId: 5, type: 'card_payment' }));
    measured['card_payment (nothing open)'] = await post(d, sampleCallback(VOX, { callbackId: 6, type: 'card_payment' }));
    measured['sip_registration_fail (2 registrations)'] = await post(
      d,
      buildCallback(VOX, {
        callbackId: 7,
        type: 'sip_registration_fail',
        data: { sip_registrations: [{ sip_registration_id: 1 }, { sip_registration_id: 2 }] },
      }),
    );
    console.log(`DynamoDB incident requests per callback (moto, counted on the wire):\n${JSON.stringify(measured, null, 1)}`);
    expect(measured).toEqual({
      js_fail: [],
      card_expired: [],
      'min_balance (opens)': ['GetItemCommand', 'PutItemCommand'],
      'min_balance (folds)': ['GetItemCommand', 'PutItemCommand'],
      'card_payment (resolves 1 of 2 kinds)': ['GetItemCommand', 'GetItemCommand', 'PutItemCommand'],
      'card_payment (nothing open)': ['GetItemCommand', 'GetItemCommand'],
      'sip_registration_fail (2 registrations)': ['GetItemCommand', 'GetItemCommand', 'PutItemCommand', 'PutItemCommand'],
    });
  });
});

// ── The property test ──

type Command =
  | {
      readonly t: 'open';
      readonly type: 'min_balance' | 'account_is_frozen' | 'sip_registration_fail';
      readonly id: number;
      readonly repeated: boolean;
    }
  | { readonly t: 'resolve'; readonly type: 'card_payment' | 'account_is_unfrozen' | 'sip_registration_recovered'; readonly id: number }
  | { readonly t: 'watchdog'; readonly frozen: boolean; readonly balanceOk: boolean }
  | { readonly t: 'ack'; readonly kind: number; readonly stale: boolean }
  | { readonly t: 'notify' }
  | { readonly t: 'advance'; readonly minutes: number }
  | { readonly t: 'both'; readonly id: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({
    t: fc.constant('open' as const),
    type: fc.constantFrom('min_balance' as const, 'account_is_frozen' as const, 'sip_registration_fail' as const),
    id: fc.integer({ min: 1, max: 8 }),
    repeated: fc.boolean(),
  }),
  fc.record({
    t: fc.constant('resolve' as const),
    type: fc.constantFrom('card_payment' as const, 'account_is_unfrozen' as const, 'sip_registration_recovered' as const),
    id: fc.integer({ min: 101, max: 108 }),
  }),
  fc.record({ t: fc.constant('watchdog' as const), frozen: fc.boolean(), balanceOk: fc.boolean() }),
  fc.record({ t: fc.constant('ack' as const), kind: fc.oneof(fc.constant(0), fc.constant(1), fc.nat(4)), stale: fc.boolean() }),
  fc.constant({ t: 'notify' as const }),
  fc.record({ t: fc.constant('advance' as const), minutes: fc.integer({ min: 1, max: 20 * 60 }) }),
  fc.record({ t: fc.constant('both' as const), id: fc.integer({ min: 1, max: 8 }) }),
);

interface Sent {
  readonly incidentId: string;
  readonly notice: Notice;
  /** The record version this notice's write produced. */
  readonly version: number;
}

/**
 * One run of the notifier, as small as it can be: for every active incident, the next notice and its conditional
 * write; a notice counts as sent only when its write landed. The real notifier function (scheduled, with texts and
 * escalation subscriptions) is another part of the stack and runs the same nextNotice + update pair.
 */
async function notifierStep(store: DynamoIncidentStore, now: number, outbox: Sent[]): Promise<void> {
  for (const incident of await store.active(signal())) {
    for (;;) {
      const done = await update(
        store,
        incident.key,
        (current) => {
          const step = current === undefined ? undefined : nextNotice(current, now, DEFAULT_REMINDER_SCHEDULE);
          return { result: step === undefined ? undefined : { notice: step.notice, incidentId: current!.incidentId }, next: step?.next };
        },
        signal(),
      );
      if (!done.written || done.result === undefined) break;
      outbox.push({ incidentId: done.result.incidentId, notice: done.result.notice, version: done.incident!.version });
    }
  }
}

async function runSequence(commands: readonly Command[]) {
  await clearTable();
  const store = new DynamoIncidentStore(dynamodb, tableName);
  let clock = Date.UTC(2026, 0, 1);
  const receiver = { ...fakeDeps({ ALERT_TYPES: '*' }), incidents: { store, now: () => clock, apiUrl: API_URL } };
  receiver.secrets.secrets = { ...SECRETS, ackKey: ACK_KEY };
  const account = linkedAccount(WEBHOOK);
  const publisher = receiver.publisher;
  const watchdog = watchDeps({
    account,
    publisher,
    now: () => clock,
    webhookUrl: WEBHOOK,
    ackKey: ACK_KEY,
    sightings: { lastVerifiedAt: 0, lastMinBalanceAt: 0 },
    // No grace: a low balance with no min_balance on record is a finding at once (min_balance_not_called → low_balance).
    assess: { minBalanceGraceMs: 0 },
    incidents: { store, now: () => clock, apiUrl: API_URL },
  });
  const outbox: Sent[] = [];
  /** Per incidentId, each observed status with the version it was read at, in order. */
  const observed = new Map<string, Array<{ status: Incident['status']; version: number }>>();
  const observe = async () => {
    for (const key of ALL_KEYS) {
      const incident = await store.get(key, signal());
      if (incident === undefined) continue;
      const seen = observed.get(incident.incidentId) ?? [];
      seen.push({ status: incident.status, version: incident.version });
      observed.set(incident.incidentId, seen);
    }
  };
  const sipData = (id: number) => ({ sip_registrations: [{ sip_registration_id: (id % 2) + 1, status_code: 403 }] });
  const callback = (c: Extract<Command, { t: 'open' | 'resolve' }>) =>
    c.type === 'min_balance'
      ? buildCallback(VOX, {
          callbackId: c.id,
          data: { is_min_credit: false, is_repeated: (c as { repeated?: boolean }).repeated ?? false },
        })
      : c.type.startsWith('sip_')
        ? buildCallback(VOX, { callbackId: c.id, type: c.type, data: sipData(c.id) })
        : sampleCallback(VOX, { callbackId: c.id, type: c.type });
  const post = (item: Record<string, unknown>) => receive(envelope(item), receiver, Deadline.in(9_000));
  const run = async (c: Command): Promise<unknown> => {
    switch (c.t) {
      case 'open':
      case 'resolve':
        return post(callback(c));
      case 'watchdog':
        Object.assign(account, { frozen: c.frozen, balance: c.balanceOk ? 50 : 5 });
        return runPass(watchdog, Deadline.in(20_000));
      case 'ack': {
        const key = ALL_KEYS[c.kind];
        const current = await store.get(key, signal());
        const incidentId = c.stale || current === undefined ? 'f'.repeat(32) : current.incidentId;
        return update(
          store,
          key,
          (cur) => {
            const { outcome, next } = acknowledge(cur, { incidentId, at: clock, by: 'on-call' });
            return { result: outcome, next };
          },
          signal(),
        );
      }
      case 'notify':
        // Two overlapping runs, as two scheduled invocations would.
        return Promise.all([notifierStep(store, clock, outbox), notifierStep(store, clock, outbox)]);
      case 'advance':
        clock += c.minutes * MIN;
        return undefined;
      case 'both':
        // A callback and a notifier run at once.
        return Promise.all([post(buildCallback(VOX, { callbackId: c.id })), notifierStep(store, clock, outbox)]);
    }
  };
  for (const c of commands) {
    await run(c);
    await observe();
  }
  clock += 100 * 3_600_000;
  await notifierStep(store, clock, outbox);
  await observe();

  // The openings everyone was told of: each opening alert's link names its incident.
  const openings = new Set(
    publisher.sent
      .filter((a) => a.escalation === 1)
      .flatMap((a) => [...a.email.matchAll(/\/ack\/(\S+)/g)].map((m) => verifyAckToken(m[1], ACK_KEY, clock - 1)))
      .flatMap((check) => (check.ok ? [check.claims.incidentId] : [])),
  );
  return { outbox, observed, openings, publisher };
}

describe('property: any order and duplication of callbacks, watchdog passes, acknowledgements and notifier runs', () => {
  const seed = Number(process.env.PROPERTY_SEED ?? Date.now() % 2 ** 31);
  const numRuns = Number(process.env.PROPERTY_RUNS ?? 20);

  it(`holds the invariants (seed ${seed}; rerun with PROPERTY_SEED=${seed})`, async () => {
    const totals = { openings: 0, reminder: 0, acknowledged: 0, resolved: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 24 }), async (commands) => {
        const { outbox, observed, openings, publisher } = await runSequence(commands);
        totals.openings += openings.size;
        for (const s of outbox) totals[s.notice.kind] += 1;
        const by = (incidentId: string, kind: Notice['kind']) =>
          outbox.filter((s) => s.incidentId === incidentId && s.notice.kind === kind);
        for (const sent of outbox) {
          // Never a notice (reminder, acknowledged, resolved) about an opening nobody was told of.
          expect(openings).toContain(sent.incidentId);
        }
        for (const incidentId of new Set(outbox.map((s) => s.incidentId))) {
          // At most one "resolved" and one "acknowledged" per opening; each reminder once, overlapping runs or not.
          expect(by(incidentId, 'resolved').length).toBeLessThanOrEqual(1);
          expect(by(incidentId, 'acknowledged').length).toBeLessThanOrEqual(1);
          const reminders = by(incidentId, 'reminder').map((s) => (s.notice as { reminder: number }).reminder);
          expect(new Set(reminders).size).toBe(reminders.length);
          // Never a reminder after resolution or acknowledgement: every reminder's write precedes the first version
          // at which the incident was seen acknowledged or resolved.
          const closedAt = observed.get(incidentId)?.find((o) => o.status !== 'open')?.version ?? Infinity;
          for (const r of by(incidentId, 'reminder')) expect(r.version).toBeLessThan(closedAt);
        }
        for (const [, seen] of observed) {
          // Once acknowledged or resolved, an opening never reads as open again (no stale write overwrote it).
          const closed = seen.findIndex((o) => o.status !== 'open');
          if (closed >= 0) expect(seen.slice(closed).every((o) => o.status !== 'open')).toBe(true);
        }
        // Each opening alerted once.
        const openingAlerts = publisher.sent.filter((a) => a.escalation === 1).length;
        expect(openingAlerts).toBe(openings.size);
      }),
      {
        seed,
        numRuns,
        endOnFailure: true,
        // One sequence that sends every kind of message, so the totals below never depend on the seed.
        examples: [
          [
            [
              { t: 'open', type: 'min_balance', id: 1, repeated: false },
              { t: 'advance', minutes: 40 },
              { t: 'notify' },
              { t: 'ack', kind: 0, stale: false },
              { t: 'notify' },
              { t: 'resolve', type: 'card_payment', id: 101 },
              { t: 'notify' },
            ],
          ],
        ],
      },
    );
    console.log(`incidents property test: seed ${seed}, ${numRuns} runs; sent in all: ${JSON.stringify(totals)}`);
    // The sequences exercised every kind of message (else the invariants held vacuously).
    expect(Object.values(totals).every((n) => n > 0)).toBe(true);
  }, 600_000);
});
