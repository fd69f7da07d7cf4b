/**
 * The incident notifier end to end on real parts: the AWS SDK against moto (the incident table with versioned
 * conditional puts, the acknowledge key in SSM, SNS fanning out to an SQS inbox), a short reminder schedule and an
 * injected clock. An incident opened as the webhook opens it gets its reminders with rising escalation; an
 * acknowledgement gets one "acknowledged" and stops the reminders; resolving gets one "resolved"; overlapping
 * runs send each notice once.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoIncidentStore } from '../../lambda/aws/dynamo-incidents';
import { notifierDeps } from '../../lambda/aws/notifier-deps';
import { Deadline } from '../../lambda/deadline';
import { verifyAckToken } from '../../lambda/incidents/ack-token';
import { acknowledge, open, resolve } from '../../lambda/incidents/lifecycle';
import type { IncidentKey, ReminderSchedule } from '../../lambda/incidents/model';
import { runNotifier, type NotifierRun } from '../../lambda/incidents/notifier';
import { update } from '../../lambda/incidents/update';
import type { Alert } from '../../lambda/model';
import { VOX } from '../../local/fixtures';
import { provision, readInbox, type LocalResources } from '../../local/provision';
import { MemoryLog } from '../support/fakes';

const SECOND = 1000;
/** Compressed: reminders 10 s and 20 s after the opening, then every 30 s. */
const SCHEDULE: ReminderSchedule = { offsetsMs: [10 * SECOND, 20 * SECOND], repeatMs: 30 * SECOND };
const BASE = 'http://127.0.0.1:3000/';
const ACK_KEY = randomBytes(32).toString('base64url');

let resources: LocalResources;
let sqs: SQSClient;
let dynamodb: DynamoDBClient;
let store: DynamoIncidentStore;
let clock = Date.UTC(2026, 10, 30, 2, 0);
let deps: ReturnType<typeof notifierDeps>;
const signal = () => Deadline.in(10_000).signal;

beforeAll(async () => {
  resources = await provision(`nt-${randomUUID().slice(0, 8)}`, { ...VOX, ackKey: ACK_KEY });
  sqs = new SQSClient({});
  dynamodb = new DynamoDBClient({});
  store = new DynamoIncidentStore(dynamodb, resources.incidentTableName);
  deps = notifierDeps({
    parameterPrefix: resources.parameterPrefix,
    incidentTableName: resources.incidentTableName,
    topicArn: resources.topicArn,
    schedule: SCHEDULE,
    ackBaseUrl: BASE,
    alertLanguage: 'en',
    log: new MemoryLog(),
    metrics: { count: () => undefined, gauge: () => undefined },
    now: () => clock,
  });
});

afterAll(() => {
  deps.destroy();
  sqs.destroy();
  dynamodb.destroy();
});

let account = 7_000_000;
/** A fresh account per test, so tests share the table without seeing each other's incidents. */
function newKey(): IncidentKey {
  account += 1;
  return { accountId: account, kind: 'low_balance', subject: '' };
}

const run = (): Promise<NotifierRun> => runNotifier(deps, Deadline.in(20_000));

/** Opens `key` at the clock's time through the store, as the webhook does for a min_balance callback. */
async function openIncident(key: IncidentKey): Promise<void> {
  const opening = {
    at: clock,
    by: 'min_balance',
    callbackId: 1,
    facts: { balance: 4.87, currency: 'USD' },
    newIncidentId: randomBytes(16).toString('hex'),
  };
  const { result } = await update(
    store,
    key,
    (current) => {
      const step = open(current, key, opening, SCHEDULE);
      return { result: step.decision, next: step.next };
    },
    signal(),
  );
  expect(result).toBe('opened');
}

/** The inbox's alerts about `key`, with their message attributes; waits for `expected` (0: a short drain). */
async function inbox(expected: number): Promise<Array<Alert & { attributes: Record<string, string> }>> {
  const messages = await readInbox(sqs, resources.queueUrl, { expected, waitMs: expected === 0 ? 500 : 5000 });
  return messages.map((m) => ({ ...(JSON.parse(m.message) as Alert), attributes: { ...m.attributes } }));
}

const advance = (ms: number) => void (clock += ms);

it('reminders with rising escalation, one "acknowledged", no reminders after it, one "resolved"', async () => {
  const key = newKey();
  await openIncident(key);
  const openedAt = clock;

  await run();
  expect(await inbox(0)).toEqual([]); // nothing due yet

  advance(10 * SECOND);
  await run();
  const [first] = await inbox(1);
  expect(first).toMatchObject({ type: 'incident_reminder', escalation: 2, incident: `${key.accountId}#low_balance`, severity: 'critical' });
  expect(first.attributes).toEqual({ callback_type: 'incident_reminder', severity: 'critical', escalation: '2' });
  // The link is signed with the key in SSM, bound to this opening, and works for a week.
  const token = /\/ack\/(\S+)/.exec(first.email)![1];
  const check = verifyAckToken(token, ACK_KEY, clock);
  expect(check.ok && check.claims.key).toEqual(key);

  advance(10 * SECOND);
  await run();
  const [second] = await inbox(1);
  expect(second).toMatchObject({ type: 'incident_reminder', escalation: 3 });

  // Acknowledged (as the ack route does it): one notice, then silence however long it stays open.
  const incidentId = (await store.get(key, signal()))!.incidentId;
  const { result } = await update(
    store,
    key,
    (current) => {
      const step = acknowledge(current, { incidentId, at: clock, by: 'Anna' });
      return { result: step.outcome, next: step.next };
    },
    signal(),
  );
  expect(result).toBe('acknowledged');
  advance(SECOND);
  await run();
  await run();
  const acked = await inbox(1);
  expect(acked.map((a) => `${a.type}@${a.escalation}`)).toEqual(['incident_acknowledged@3']);
  expect(acked[0].email).toContain('Anna acknowledged');
  for (let i = 0; i < 4; i += 1) {
    advance(30 * SECOND);
    await run();
  }
  expect(await inbox(0)).toEqual([]);

  // Resolved by a card payment: one "resolved", with how long it lasted.
  await update(store, key, (current) => ({ result: undefined, next: resolve(current, { at: clock, by: 'card_payment' }) }), signal());
  advance(SECOND);
  await Promise.all([run(), run()]);
  await run();
  const resolved = await inbox(1);
  expect(resolved.map((a) => a.type)).toEqual(['incident_resolved']);
  expect(resolved[0].email).toContain(`It lasted ${Math.floor((clock - SECOND - openedAt) / 60_000)} min.`);
  expect(await inbox(0)).toEqual([]);
  expect((await store.active(signal())).filter((i) => i.key.accountId === key.accountId)).toEqual([]);
});

it('two overlapping runs (Promise.all) send each reminder and each notice once', async () => {
  const key = newKey();
  await openIncident(key);
  advance(10 * SECOND);
  const runs = await Promise.all([run(), run(), run()]);
  expect(runs.reduce((n, r) => n + r.sent.reminder, 0)).toBe(1);
  const incidentId = (await store.get(key, signal()))!.incidentId;
  await update(store, key, (current) => ({ result: undefined, next: acknowledge(current, { incidentId, at: clock }).next }), signal());
  await Promise.all([run(), run()]);
  await update(store, key, (current) => ({ result: undefined, next: resolve(current, { at: clock, by: 'watchdog' }) }), signal());
  await Promise.all([run(), run()]);
  const alerts = (await inbox(3)).concat(await inbox(0));
  expect(alerts.map((a) => a.type).sort()).toEqual(['incident_acknowledged', 'incident_reminder', 'incident_resolved']);
});

it('a reminder overdue by many intervals (the notifier was down) is sent once, and the next one is scheduled ahead', async () => {
  const key = newKey();
  await openIncident(key);
  advance(10 * 60 * SECOND);
  await run();
  await run();
  const alerts = await inbox(1);
  expect(alerts.map((a) => a.escalation)).toEqual([2]);
  expect(await inbox(0)).toEqual([]);
  expect((await store.get(key, signal()))!.nextReminderAt).toBeGreaterThan(clock);
});
