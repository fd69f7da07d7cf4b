/**
 * Fault tests (issue #5): the real handler with the real SDK clients against moto, with faults injected on
 * the wire (test/support/fault-proxy.ts) or by stopping moto itself. One `describe` per fault; each asserts
 * the HTTP answer, what was published (the SQS inbox subscribed to the topic), what was parked (the retry
 * queue), and that after recovery every verified callback alerts exactly once, whoever retried it: the
 * retry queue (drained with pollOnce, as Lambda's SQS event source would) or Voximplant re-sending the batch.
 *
 * Each fault gets its own resources (topic, dedupe table, inbox, retry queue) and its own copy of the handler
 * module (a fresh container), so one fault's leftovers, cached secrets or spent SDK retry tokens never reach
 * another. The test reads the queues with its own client straight to moto, never through the proxy.
 *
 * Over 400 lines: the fault table (docs/testing.md) is one suite, one `describe` per row, sharing moto.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { Alert } from '../../lambda/model';
import type { handler as Handler } from '../../lambda/handler';
import { DEDUPE_TABLE, ENV, METRICS, RECEIVER_FUNCTION, RETRY_QUEUE } from '../../lambda/contract';
import { parkable } from '../../lambda/pipeline';
import { encodeParked, PARKED_ATTRIBUTES } from '../../lambda/aws/parked-codec';
import { backoffSeconds } from '../../lambda/queue';
import { buildCallback, envelope } from '../../local/callbacks';
import { lambdaContext } from '../../local/api-gateway';
import { startMoto, type MotoServer } from '../../local/moto';
import { provision, readInbox, receiverEnv, type LocalResources } from '../../local/provision';
import { pollOnce } from '../../local/sqs-event-source';
import { FaultProxy, type PublishBatchEntry } from '../support/fault-proxy';
import { httpEvent, VOX } from '../../local/fixtures';
import { INCIDENTS_OFF } from '../support/fixtures';

/** The function's timeout in the stack: an answer must come before it, or nothing is answered or parked. */
const FUNCTION_TIMEOUT_MS = RECEIVER_FUNCTION.timeoutSeconds * 1000;
const MOTO = process.env.MOTO_ENDPOINT!;
const ALERT_TYPES = 'min_balance,account_is_frozen';

let proxy: FaultProxy;
/** The test's own view of the queues: straight to moto, so injected faults never blind the assertions. */
let direct: SQSClient;
let nextId = 7_000;
/** Everything the Lambda wrote (Powertools logs and EMF metrics), captured instead of printed. */
let output = '';
/** `leftMs`: what the Lambda context had left when the handler returned (Lambda ends the invocation at 0). */
const timings: Array<{ fault: string; step: string; ms: number; status?: number; leftMs?: number }> = [];
/** Records one webhook answer's time (and the time its Lambda context had left) for the table printed at the end. */
function noteTiming(fault: string, step: string, response: { ms: number; status?: number; leftMs?: number }): void {
  timings.push({ fault, step, ms: response.ms, status: response.status, leftMs: response.leftMs });
}
/** Alerts per genuine callback over a whole fault (webhook, every queue retry, re-sends), printed at the end. */
const alertTotals: string[] = [];

interface World {
  readonly resources: LocalResources;
  readonly handler: typeof Handler;
  readonly sqs: SQSClient;
}

/** Runs `fn` with AWS_ENDPOINT_URL set to `endpoint`; SDK clients resolve it at their first request. */
async function withEndpoint<T>(endpoint: string, fn: () => Promise<T>): Promise<T> {
  const saved = process.env.AWS_ENDPOINT_URL;
  process.env.AWS_ENDPOINT_URL = endpoint;
  try {
    return await fn();
  } finally {
    process.env.AWS_ENDPOINT_URL = saved;
  }
}

/** A fresh copy of the handler module: a new container, built from the environment as it is now. */
function freshHandler(): typeof Handler {
  let handler!: typeof Handler;
  jest.isolateModules(() => {
    handler = (require('../../lambda/handler') as { handler: typeof Handler }).handler;
  });
  return handler;
}

/** Resources of one fault in the shared moto, and a cold handler that reaches them through the proxy. */
async function world(name: string): Promise<World> {
  const resources = await withEndpoint(MOTO, () => provision(`ft-${name}-${randomUUID().slice(0, 8)}`, VOX));
  Object.assign(process.env, receiverEnv(resources), {
    ALERT_TYPES,
    ...INCIDENTS_OFF,
    // The handler's clients resolve AWS_ENDPOINT_URL (the proxy) at their first request; the SQS client
    // sends to the queue URL's host, so that goes through the proxy as well.
    RETRY_QUEUE_URL: resources.retryQueueUrl.replace(MOTO, proxy.endpoint),
  });
  proxy.resetCounts();
  return { resources, handler: freshHandler(), sqs: direct };
}

/** A world whose container is warm (secrets cached, as on a busy day), with the proxy's counts reset. */
async function warmWorld(name: string): Promise<World> {
  const w = await world(name);
  await send(w, callback());
  await alerted(w);
  proxy.resetCounts();
  return w;
}

function callback(type = 'min_balance') {
  return buildCallback(VOX, { callbackId: nextId++, type });
}

const idOf = (item: Record<string, unknown>) => item.callback_id as number;
const sorted = (ids: number[]) => [...ids].sort((a, b) => a - b);

/** A Lambda context with the function's timeout, as Lambda passes one: the handler's deadline comes from it. */
const invocationContext = () => lambdaContext('ft-receiver', FUNCTION_TIMEOUT_MS);

/** One webhook request, timed; `leftMs` is the time its context had left when it answered. */
async function send(w: World, ...callbacks: Array<Record<string, unknown>>) {
  const context = invocationContext();
  const started = performance.now();
  const result = await w.handler(httpEvent(envelope(...callbacks)), context);
  const ms = Math.round(performance.now() - started);
  return {
    status: result.statusCode,
    body: JSON.parse(result.body ?? '{}') as Record<string, unknown>,
    ms,
    leftMs: context.getRemainingTimeInMillis(),
  };
}

async function depth(sqs: SQSClient, queueUrl: string) {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
    }),
  );
  const n = (name: string) => Number(Attributes[name as keyof typeof Attributes] ?? 0);
  return {
    visible: n('ApproximateNumberOfMessages'),
    inFlight: n('ApproximateNumberOfMessagesNotVisible'),
    delayed: n('ApproximateNumberOfMessagesDelayed'),
  };
}

/** How many requests are parked in the retry queue, visible or waiting out a backoff. */
async function parked(w: World): Promise<number> {
  const { visible, inFlight, delayed } = await depth(w.sqs, w.resources.retryQueueUrl);
  return visible + inFlight + delayed;
}

/**
 * The callback ids of every alert published since the last call (read and deleted from the inbox).
 * moto delivers SNS → SQS inside the Publish call, so the inbox depth is exact as soon as the handler answered.
 */
async function alerted(w: World): Promise<number[]> {
  const { visible, inFlight } = await depth(w.sqs, w.resources.queueUrl);
  expect(inFlight).toBe(0);
  if (visible === 0) return [];
  const messages = await readInbox(w.sqs, w.resources.queueUrl, { expected: visible, waitMs: 3000 });
  expect(messages).toHaveLength(visible);
  expect(await depth(w.sqs, w.resources.queueUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  return sorted(messages.map((m) => (JSON.parse(m.message) as Alert).callbackId));
}

/** From here on `callbacks` are known: a re-send is all duplicates, alerts nobody, and nothing stays parked. */
async function expectSettled(w: World, ...callbacks: Array<Record<string, unknown>>) {
  expect(await send(w, ...callbacks)).toMatchObject({ status: 200, body: { accepted: 0, duplicates: callbacks.length } });
  expect(await alerted(w)).toEqual([]);
  expect(await parked(w)).toBe(0);
}

/** After recovery the sender's re-send of `item` alerts once; then it is settled. */
async function expectResendAlertsOnce(w: World, item: Record<string, unknown>) {
  expect(await send(w, item)).toMatchObject({ status: 200, body: { accepted: 1, duplicates: 0 } });
  expect(await alerted(w)).toEqual([idOf(item)]);
  await expectSettled(w, item);
}

/**
 * The promise of every single fault: each genuine callback alerts at least once (never lost) and at most
 * twice (a slow or frozen dependency costs one duplicate, never a storm). `alerts` are callback ids.
 */
function expectOneOrTwoAlertsEach(alerts: number[], ...items: Array<Record<string, unknown>>) {
  const ids = items.map(idOf);
  expect(alerts.filter((id) => !ids.includes(id))).toEqual([]);
  for (const id of ids) {
    const count = alerts.filter((alertId) => alertId === id).length;
    expect({ callbackId: id, alerts: count, withinOneToTwo: count >= 1 && count <= 2 }).toEqual({
      callbackId: id,
      alerts: count,
      withinOneToTwo: true,
    });
  }
}

/** After recovery the queue's retry of the one request parked alerts `item` once; then it is settled. */
async function expectRetryAlertsOnce(w: World, item: Record<string, unknown>) {
  expect(await drain(w)).toEqual({ received: 1, failed: [] });
  expect(await alerted(w)).toEqual([idOf(item)]);
  await expectSettled(w, item);
}

/** Lambda's SQS event source, once: hands whatever is parked and visible to the handler, timed as `send` is. */
async function drainTimed(w: World) {
  let ms = 0;
  let leftMs = 0;
  const result = await pollOnce(w.sqs, w.resources.retryQueueUrl, async (event) => {
    const context = invocationContext();
    const started = performance.now();
    const response = await w.handler(event, context);
    ms = Math.round(performance.now() - started);
    leftMs = context.getRemainingTimeInMillis();
    return response;
  });
  return { result, ms, leftMs };
}

async function drain(w: World) {
  return (await drainTimed(w)).result;
}

/** Ends the backoff a failed retry set (what time would do), with the receipt handles pollOnce returned. */
async function endBackoff(w: World, receiptHandles: string[]) {
  for (const ReceiptHandle of receiptHandles) {
    await w.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: w.resources.retryQueueUrl, ReceiptHandle, VisibilityTimeout: 0 }));
  }
}

/**
 * Runs the retry queue to its end as time would (each backoff ended at once), until nothing is visible any
 * more or SQS has moved the request to the dead-letter queue. Returns the alerts published meanwhile.
 */
async function drainUntilSettled(w: World): Promise<number[]> {
  const alerts: number[] = [];
  for (let round = 0; round <= RETRY_QUEUE.maxReceiveCount; round += 1) {
    const result = await drain(w);
    alerts.push(...(await alerted(w)));
    if (result.received === 0) break;
    await endBackoff(w, result.failed);
  }
  return alerts;
}

/** How many requests reached the dead-letter queue (retries exhausted). */
async function deadLettered(w: World): Promise<number> {
  const { visible, inFlight, delayed } = await depth(w.sqs, w.resources.dlqUrl);
  return visible + inFlight + delayed;
}

/** Ends the lease of a claim left pending (what time would do: a claim lapses CLAIM_LEASE_SECONDS after it was taken). */
async function endLease(w: World, item: Record<string, unknown>) {
  const table = new DynamoDBClient({ endpoint: MOTO });
  try {
    await table.send(
      new UpdateItemCommand({
        TableName: w.resources.tableName,
        Key: { [DEDUPE_TABLE.partitionKey]: { S: `${String(item.account_id)}#${idOf(item)}` } },
        UpdateExpression: 'SET #expiresAt = :past',
        ConditionExpression: '#status = :pending',
        ExpressionAttributeNames: { '#expiresAt': DEDUPE_TABLE.ttlAttribute, '#status': 'status' },
        ExpressionAttributeValues: { ':past': { N: String(Math.floor(Date.now() / 1000) - 1) }, ':pending': { S: 'pending' } },
      }),
    );
  } finally {
    table.destroy();
  }
}

/** The JSON lines the Lambda wrote since `mark`: EMF metric lines and Powertools log lines. */
function linesSince(mark: number): Array<Record<string, unknown>> {
  return output
    .slice(mark)
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}

/** EMF metric totals since `mark` (only metrics that were emitted appear). */
function metricsSince(mark: number): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const line of linesSince(mark)) {
    const aws = line._aws as { CloudWatchMetrics?: Array<{ Metrics: Array<{ Name: string }> }> } | undefined;
    for (const { Name } of aws?.CloudWatchMetrics?.flatMap((m) => m.Metrics) ?? []) {
      const value = line[Name] as number | number[];
      totals[Name] = (totals[Name] ?? 0) + (Array.isArray(value) ? value.reduce((a, b) => a + b, 0) : value);
    }
  }
  return totals;
}

const logsSince = (mark: number, message: string) => linesSince(mark).filter((l) => l.message === message);

/** The requests of one service the proxy saw since the last reset, e.g. `['PutItem', 'DeleteItem']`. */
const actionsOf = (service: string) => proxy.actions.filter((a) => a.startsWith(`${service}:`)).map((a) => a.slice(service.length + 1));

const M = METRICS.names;

beforeAll(async () => {
  proxy = await new FaultProxy(MOTO).start();
  // The receiver's note for the watchdog (lambda/aws/dynamo-watch-state.ts) runs alongside the claims under their
  // signal; it is not part of the claim sequences these faults pin, so it is left out of the listed actions.
  proxy.unlisted = (service, body) => service === 'dynamodb' && body.includes(`"${DEDUPE_TABLE.seenPrefix}`);
  direct = new SQSClient({ endpoint: MOTO });
  for (const stream of [process.stdout, process.stderr]) {
    jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      output += chunk.toString();
      return true;
    });
  }
  // Every handler copy reaches AWS through the proxy (its clients resolve this at their first request).
  process.env.AWS_ENDPOINT_URL = proxy.endpoint;
});

afterAll(async () => {
  jest.restoreAllMocks();
  process.env.AWS_ENDPOINT_URL = MOTO;
  direct.destroy();
  await proxy.stop();
  const lines = timings.map(
    (t) =>
      `${String(t.ms).padStart(6)} ms  ${t.leftMs === undefined ? '' : `(${t.leftMs} ms left)  `}${t.status ?? 'none'}  ${t.fault}: ${t.step}`,
  );
  console.log(`Fault timings (handler wall time; the function's timeout is ${FUNCTION_TIMEOUT_MS} ms):\n${lines.join('\n')}`);
  console.log(`Alerts per callback:\n${alertTotals.join('\n')}`);
});

beforeEach(() => {
  proxy.failing.clear();
  proxy.throttling.clear();
  proxy.hanging.clear();
  proxy.stallingBody.clear();
  proxy.refusePublishEntry = undefined;
  proxy.answerLate.clear();
  proxy.answerLateEvery.clear();
  proxy.failingActions.clear();
});

describe('1. SSM unavailable on a cold start', () => {
  it('parks the well-formed items (202), retries with backoff while SSM is down, then alerts each callback once', async () => {
    const w = await world('ssm-down');
    const batch = [callback(), callback('account_is_frozen')];
    const mark = output.length;
    proxy.failing.add('ssm');

    const response = await send(w, ...batch);
    noteTiming('1 SSM unavailable', 'webhook (cold start, SSM 503)', response);
    // No secrets: nothing could be verified, so no counts; the raw request is parked instead.
    expect(response).toMatchObject({ status: 202, body: { message: 'accepted; alerts will be retried' } });
    expect(response.ms).toBeLessThan(FUNCTION_TIMEOUT_MS);
    expect(actionsOf('ssm')).toEqual(['GetParameters', 'GetParameters']); // the 2 attempts handler.ts allows
    expect(actionsOf('dynamodb')).toEqual([]); // unverified callbacks claim nothing
    expect(actionsOf('sns')).toEqual([]);
    expect(actionsOf('sqs')).toEqual(['SendMessage']);
    expect(await alerted(w)).toEqual([]);
    // The parked message holds the well-formed items, unverified (hash kept), without personal fields
    // (peeked without hiding it).
    const { Messages = [] } = await w.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: w.resources.retryQueueUrl,
        VisibilityTimeout: 0,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
      }),
    );
    expect(Messages.map((m) => m.Body)).toEqual([JSON.stringify({ callbacks: batch.map((item) => parkable(item, true)) })]);
    expect(Messages[0].Body).not.toContain('ops@acme.example');
    expect(Messages[0].MessageAttributes?.bodyEncoding?.StringValue).toBe('utf8');
    expect(Messages[0].MessageAttributes?.verified?.StringValue).toBe('false');
    expect(Number(Messages[0].MessageAttributes?.receivedAt?.StringValue)).toBeGreaterThan(Date.now() - 60_000);
    expect(metricsSince(mark)).toMatchObject({ [M.received]: 2, [M.secretsUnavailable]: 1, [M.parked]: 1 });
    expect(metricsSince(mark)[M.parkingFailures]).toBeUndefined();

    // The queue's retry while SSM is still down fails again and is pushed back.
    const stillDown = await drain(w);
    expect(stillDown).toEqual({ received: 1, failed: [expect.any(String)] });
    expect(await drain(w)).toEqual({ received: 0, failed: [] }); // out of sight: backoff
    expect(await parked(w)).toBe(1);
    expect(await alerted(w)).toEqual([]);
    // The peek above counted as a receive: this was attempt 2, so the backoff is 60 s.
    expect(logsSince(mark, 'Parked request failed again; retrying later')).toEqual([
      expect.objectContaining({ attempt: 2, backoffSeconds: 60, reason: 'secrets unavailable' }),
    ]);

    // Recovery.
    proxy.failing.clear();
    await endBackoff(w, stillDown.failed);
    expect(await drain(w)).toEqual({ received: 1, failed: [] });
    expect(await alerted(w)).toEqual(sorted(batch.map(idOf)));
    expect(await parked(w)).toBe(0);
    // Voximplant re-sending the same batch afterwards: duplicates, no second alert.
    expect(await send(w, ...batch)).toMatchObject({ status: 200, body: { accepted: 0, duplicates: 2, ignored: 0, rejected: 0 } });
    expect(await alerted(w)).toEqual([]);
    expect(await parked(w)).toBe(0);
    expect(metricsSince(mark)).toMatchObject({ [M.retriesFailed]: 1, [M.published]: 2, [M.duplicates]: 2 });
  });
});

describe('2. SSM throttled on a cold start', () => {
  it('parks on ThrottlingException (202), keeps failing while throttled, then alerts once', async () => {
    const w = await world('ssm-throttled');
    const item = callback();
    const mark = output.length;
    proxy.throttling.add('ssm');

    const response = await send(w, item);
    noteTiming('2 SSM throttled', 'webhook (cold start, ThrottlingException)', response);
    expect(response).toMatchObject({ status: 202, body: { message: 'accepted; alerts will be retried' } });
    expect(response.ms).toBeLessThan(FUNCTION_TIMEOUT_MS);
    expect(actionsOf('ssm')).toHaveLength(2); // throttling is retried (with the longer throttling backoff)
    expect(logsSince(mark, 'Secrets unavailable: cannot verify callbacks')[0]?.error).toContain('ThrottlingException');
    expect(await alerted(w)).toEqual([]);
    expect(await parked(w)).toBe(1);

    const started = performance.now();
    const stillThrottled = await drain(w);
    timings.push({ fault: '2 SSM throttled', step: 'queue retry while throttled', ms: Math.round(performance.now() - started) });
    expect(stillThrottled).toEqual({ received: 1, failed: [expect.any(String)] });
    expect(await parked(w)).toBe(1);
    expect(await alerted(w)).toEqual([]);

    proxy.throttling.clear();
    await endBackoff(w, stillThrottled.failed);
    expect(await drain(w)).toEqual({ received: 1, failed: [] });
    expect(await alerted(w)).toEqual([idOf(item)]);
    await expectSettled(w, item);
    expect(metricsSince(mark)).toMatchObject({ [M.secretsUnavailable]: 2, [M.parked]: 1, [M.retriesFailed]: 1, [M.published]: 1 });
  });
});

describe('3. DynamoDB unavailable', () => {
  it('publishes anyway (200) and parks nothing; the table never learns of the callback', async () => {
    const w = await world('ddb-down');
    const item = callback();
    const mark = output.length;
    proxy.failing.add('dynamodb');

    const response = await send(w, item);
    noteTiming('3 DynamoDB unavailable', 'webhook (DynamoDB 503)', response);
    expect(response).toMatchObject({ status: 200, body: { accepted: 1, duplicates: 0, ignored: 0, rejected: 0 } });
    expect(response.ms).toBeLessThan(FUNCTION_TIMEOUT_MS);
    // The claim's 2 attempts (handler.ts sets maxAttempts: 2 on every client); an unavailable claim is
    // neither completed nor released afterwards.
    expect(actionsOf('dynamodb')).toEqual(['PutItem', 'PutItem']);
    expect(actionsOf('sqs')).toEqual([]);
    expect(await alerted(w)).toEqual([idOf(item)]);
    expect(await parked(w)).toBe(0);
    expect(metricsSince(mark)).toMatchObject({ [M.dedupeUnavailable]: 1, [M.published]: 1 });
    expect(metricsSince(mark)[M.parked]).toBeUndefined();

    proxy.failing.clear();
    // Documented trade-off ("a duplicate beats a lost alert"): nothing could be recorded during the outage,
    // so the first re-send after it alerts a second time; from then on the table suppresses it.
    await expectResendAlertsOnce(w, item);
    // A callback first sent after recovery alerts exactly once, re-sent or not.
    const later = callback();
    expect(await send(w, later)).toMatchObject({ status: 200, body: { accepted: 1 } });
    expect(await send(w, later)).toMatchObject({ status: 200, body: { accepted: 0, duplicates: 1 } });
    expect(await alerted(w)).toEqual([idOf(later)]);
    expect(await parked(w)).toBe(0);
  });
});

describe('4. SNS Publish failing (the whole PublishBatch)', () => {
  it('parks (202), the retry fails with backoff while SNS is down, then each callback alerts once', async () => {
    const w = await world('sns-down');
    const batch = [callback(), callback('account_is_frozen')];
    const mark = output.length;
    proxy.failing.add('sns');

    const response = await send(w, ...batch);
    noteTiming('4 SNS failing', 'webhook (PublishBatch 503)', response);
    expect(response).toEqual({
      status: 202,
      body: { message: 'accepted; alerts will be retried', accepted: 0, duplicates: 0, ignored: 0, rejected: 0 },
      ms: expect.any(Number),
      leftMs: expect.any(Number),
    });
    expect(response.ms).toBeLessThan(FUNCTION_TIMEOUT_MS);
    expect(actionsOf('sns')).toEqual(['PublishBatch', 'PublishBatch']);
    // Both claims are released, so the retry (or a re-send) can alert.
    expect([...actionsOf('dynamodb')].sort()).toEqual(['DeleteItem', 'DeleteItem', 'PutItem', 'PutItem']);
    expect(actionsOf('sqs')).toEqual(['SendMessage']);
    expect(await alerted(w)).toEqual([]);
    expect(await parked(w)).toBe(1);
    expect(metricsSince(mark)).toMatchObject({ [M.publishFailures]: 2, [M.parked]: 1 });

    // Retry while SNS is still down: a batch item failure, and a backoff on the message.
    proxy.resetCounts();
    const stillDown = await drain(w);
    expect(stillDown).toEqual({ received: 1, failed: [expect.any(String)] });
    expect(actionsOf('sqs')).toEqual(['ChangeMessageVisibilityBatch']);
    expect(logsSince(mark, 'Parked request failed again; retrying later')).toEqual([
      expect.objectContaining({ attempt: 1, backoffSeconds: 30, reason: 'publish failed' }),
    ]);
    expect(await drain(w)).toEqual({ received: 0, failed: [] }); // hidden by the backoff
    expect(await depth(w.sqs, w.resources.retryQueueUrl)).toEqual({ visible: 0, inFlight: 1, delayed: 0 });
    expect(await alerted(w)).toEqual([]);

    // Recovery: the backoff ends, the retry alerts both, and Voximplant's re-send is a duplicate.
    proxy.failing.clear();
    await endBackoff(w, stillDown.failed);
    expect(await drain(w)).toEqual({ received: 1, failed: [] });
    expect(await alerted(w)).toEqual(sorted(batch.map(idOf)));
    await expectSettled(w, ...batch);
    expect(metricsSince(mark)).toMatchObject({ [M.publishFailures]: 4, [M.retriesFailed]: 1, [M.published]: 2, [M.duplicates]: 2 });
  });
});

describe('5. PublishBatch partially failing (1 of 3 entries refused)', () => {
  it('alerts the 2 published ones once, parks the request (202), and the retry alerts only the refused one', async () => {
    const w = await world('sns-partial');
    const batch = [callback(), callback(), callback()];
    const refusedId = idOf(batch[1]);
    const mark = output.length;
    // The entry's `default` message is the alert as JSON: refuse the one for the middle callback.
    proxy.refusePublishEntry = (entry: PublishBatchEntry) =>
      (JSON.parse(JSON.parse(entry.Message).default) as Alert).callbackId === refusedId;

    const response = await send(w, ...batch);
    noteTiming('5 PublishBatch partial', 'webhook (1 of 3 entries Failed)', response);
    expect(response).toMatchObject({
      status: 202,
      body: { message: 'accepted; alerts will be retried', accepted: 2, duplicates: 0, ignored: 0, rejected: 0 },
    });
    expect(actionsOf('sns')).toEqual(['PublishBatch']); // a partial failure is an answer, not a retried error
    expect([...actionsOf('dynamodb')].sort()).toEqual(['DeleteItem', 'PutItem', 'PutItem', 'PutItem', 'UpdateItem', 'UpdateItem']);
    expect(await alerted(w)).toEqual(sorted([idOf(batch[0]), idOf(batch[2])]));
    expect(await parked(w)).toBe(1);
    expect(metricsSince(mark)).toMatchObject({ [M.published]: 2, [M.publishFailures]: 1, [M.parked]: 1 });
    expect(logsSince(mark, 'SNS refused an alert')).toEqual([expect.objectContaining({ callbackId: refusedId, code: 'InternalError' })]);

    // Recovery: the retry alerts only the refused one; the 2 already alerted are duplicates now.
    proxy.refusePublishEntry = undefined;
    const retryMark = output.length;
    expect(await drain(w)).toEqual({ received: 1, failed: [] });
    expect(await alerted(w)).toEqual([refusedId]);
    // Only the refused item was parked: the two already alerted are not tried again.
    expect(logsSince(retryMark, 'Parked request handled')).toEqual([expect.objectContaining({ accepted: 1, duplicates: 0 })]);
    await expectSettled(w, ...batch);
  });
});

describe('6. SQS unavailable while parking (SNS down too)', () => {
  it('answers 503 with nothing parked or published; the sender’s re-send alerts once after recovery', async () => {
    const w = await world('sqs-down');
    const item = callback();
    const mark = output.length;
    proxy.failing.add('sns');
    proxy.failing.add('sqs');

    const response = await send(w, item);
    noteTiming('6 SQS + SNS failing', 'webhook (PublishBatch 503, SendMessage 503)', response);
    expect(response).toMatchObject({
      status: 503,
      body: { message: 'temporarily unavailable, retry later', accepted: 0, duplicates: 0, ignored: 0, rejected: 0 },
    });
    expect(response.ms).toBeLessThan(FUNCTION_TIMEOUT_MS);
    expect(actionsOf('sqs')).toEqual(['SendMessage', 'SendMessage']);
    expect(actionsOf('dynamodb')).toEqual(['PutItem', 'DeleteItem']); // released: the re-send is not a duplicate
    expect(await alerted(w)).toEqual([]);
    expect(await parked(w)).toBe(0);
    expect(metricsSince(mark)).toMatchObject({ [M.publishFailures]: 1, [M.parkingFailures]: 1 });
    expect(metricsSince(mark)[M.parked]).toBeUndefined();

    proxy.failing.clear();
    await expectResendAlertsOnce(w, item);
  });
});

describe('7. moto stopped mid-run and restarted on the same port', () => {
  /**
   * A dedicated moto, so stopping it touches no other suite. Restarting it loses ALL its state: the topic,
   * the queues (with anything parked in them), the SSM parameters and the dedupe table's records.
   * Re-provisioning with the same names gives the same ARNs and URLs, so the warm handler works again,
   * but it has forgotten every callback alerted before the restart: re-sending one of those would alert
   * again. In AWS an outage loses nothing: the table (and its records) survive, and so does the queue.
   */
  let moto: MotoServer;
  let port: number;
  let w: World;
  let resources: LocalResources;
  let sqs: SQSClient;
  const name = `ft-restart-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    moto = await startMoto();
    port = moto.port;
    // The handler (and provisioning) talk to this moto directly: no proxy, the fault is moto itself.
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    resources = await provision(name, VOX);
    Object.assign(process.env, receiverEnv(resources), { ALERT_TYPES, ...INCIDENTS_OFF });
    sqs = new SQSClient({ endpoint: moto.endpoint });
    w = { resources, handler: freshHandler(), sqs };
  });

  afterAll(async () => {
    sqs?.destroy();
    await moto?.stop();
    process.env.AWS_ENDPOINT_URL = proxy.endpoint;
  });

  it('503 within the function timeout while moto is down (neither publish nor park), then one alert after restart', async () => {
    const first = callback();
    const mark = output.length;
    const warmUp = await send(w, first);
    noteTiming('7 moto restarted', 'webhook before the stop (cold, healthy)', warmUp);
    expect(warmUp).toMatchObject({ status: 200, body: { accepted: 1 } });
    expect(await alerted(w)).toEqual([idOf(first)]);

    await moto.stop();
    const item = callback();
    const down = await send(w, item);
    noteTiming('7 moto restarted', 'webhook while moto is stopped (ECONNREFUSED)', down);
    expect(down).toMatchObject({ status: 503, body: { message: 'temporarily unavailable, retry later' } });
    expect(down.ms).toBeLessThan(FUNCTION_TIMEOUT_MS);
    expect(metricsSince(mark)).toMatchObject({ [M.dedupeUnavailable]: 1, [M.publishFailures]: 1, [M.parkingFailures]: 1 });

    const started = performance.now();
    moto = await startMoto({ port });
    timings.push({ fault: '7 moto restarted', step: 'moto restart (same port)', ms: Math.round(performance.now() - started) });
    expect(moto.port).toBe(port);
    // State is gone: provisioning again with the same names gives the same ARNs and URLs.
    expect(await provision(name, VOX)).toEqual(resources);
    expect(await parked(w)).toBe(0); // nothing was parked (and the old queue is gone anyway)

    const resend = await send(w, item);
    noteTiming('7 moto restarted', 'webhook re-send after the restart', resend);
    expect(resend).toMatchObject({ status: 200, body: { accepted: 1, duplicates: 0 } });
    expect(await alerted(w)).toEqual([idOf(item)]);
    await expectSettled(w, item);
  });
});

describe('8. Dependencies hanging (connection accepted, never answered)', () => {
  /**
   * A blackholed or stalled endpoint, the common shape of a network fault in AWS: unlike a refused
   * connection (fault 7) it fails nothing by itself, only the client's timeouts end the wait. handler.ts
   * promises bounded waits (connectionTimeout 1000 ms, requestTimeout 1500 ms, two attempts) "so the
   * request can still be parked before the function's 10 s timeout". Correct behaviour, with the retry queue
   * reachable: 202 and parked before the timeout, then one alert after recovery. Lambda ends an invocation
   * that overruns: no answer (API Gateway answers 5xx) and nothing parked.
   *
   * Found with these tests: with the pinned SDK (@smithy/node-http-handler 4.14), `requestTimeout` alone only
   * logs a warning and sets no socket timeout, so one hung request waited until Lambda's timeout. handler.ts
   * now sets `throwOnRequestTimeout: true` and `maxAttempts: 2` on every client.
   */
  const cases: Array<{ name: string; hang: Array<'sns' | 'dynamodb'> }> = [
    { name: 'SNS hanging', hang: ['sns'] },
    { name: 'DynamoDB and SNS hanging (SQS healthy)', hang: ['dynamodb', 'sns'] },
  ];

  /** Races the handler against the function's timeout; on a timeout, ends the stall (as a test must) and says so. */
  async function withinTimeout(w: World, item: Record<string, unknown>, hang: readonly string[]) {
    const started = performance.now();
    const pending = send(w, item);
    const timedOut = Symbol('timed out');
    let timer: NodeJS.Timeout | undefined;
    const first = await Promise.race([
      pending,
      new Promise<typeof timedOut>((r) => (timer = setTimeout(r, FUNCTION_TIMEOUT_MS, timedOut))),
    ]);
    clearTimeout(timer);
    if (first !== timedOut) return first;
    const elapsed = Math.round(performance.now() - started);
    const seen = [...proxy.actions];
    // Lambda would have ended the invocation here. Turn the stall into an outage and release the hung
    // requests, so the dangling call finishes before the next test.
    for (const service of hang) proxy.failing.add(service as 'sns');
    proxy.hanging.clear();
    proxy.releaseHung();
    await pending;
    return { status: undefined, body: {}, ms: elapsed, seen };
  }
  it.each(cases)('$name: parks (202) within the function timeout, then alerts once', async ({ name, hang }) => {
    const w = await warmWorld(`hang-${hang.join('-')}`);
    const item = callback();
    for (const service of hang) proxy.hanging.add(service);

    const first = await withinTimeout(w, item, hang);
    noteTiming(`8 ${name}`, 'webhook (warm)', first);
    expect('seen' in first ? `no answer after ${first.ms} ms; requests so far: ${first.seen.join(', ')}` : 'answered').toBe('answered');
    expect(first).toMatchObject({ status: 202, body: { accepted: 0 } });
    expect(actionsOf('sqs')).toEqual(['SendMessage']);
    expect(await alerted(w)).toEqual([]);
    expect(await parked(w)).toBe(1);

    proxy.hanging.clear();
    proxy.releaseHung();
    await expectRetryAlertsOnce(w, item);
  });

  it('DynamoDB, SNS and SQS hanging in turn (the worst case): 503 before the timeout, nothing published or parked, the re-send alerts once', async () => {
    // The claim and parking wait out both attempts (about 3.1 s each), the publish one (1.5 s: a request
    // that may have arrived is never re-sent). The answer must come before the function's timeout, not 2xx.
    const w = await warmWorld('hang-all');
    const item = callback();
    const hang = ['dynamodb', 'sns', 'sqs'] as const;
    for (const service of hang) proxy.hanging.add(service);

    const first = await withinTimeout(w, item, hang);
    noteTiming('8 DynamoDB, SNS and SQS hanging', 'webhook (warm)', first);
    expect('seen' in first ? `no answer after ${first.ms} ms; requests so far: ${first.seen.join(', ')}` : 'answered').toBe('answered');
    expect(first).toMatchObject({ status: 503 });
    expect(proxy.actions).toEqual(['dynamodb:PutItem', 'dynamodb:PutItem', 'sns:PublishBatch', 'sqs:SendMessage', 'sqs:SendMessage']);

    proxy.hanging.clear();
    proxy.releaseHung();
    expect(await alerted(w)).toEqual([]);
    expect(await parked(w)).toBe(0);
    await expectResendAlertsOnce(w, item);
  });
});

describe('9. A write that landed although the caller timed out (its answer held back past the 1.5 s request timeout)', () => {
  /**
   * The quiet twin of fault 8: the request reaches the service and is applied, only the answer is late.
   * The SDK times out and retries the same request (maxAttempts 2). For the DynamoDB claim, the retry fails
   * its own condition against the first attempt's write; found with this test: the callback then read as a
   * duplicate and never alerted (a loader run lost 132 alerts this way at 16 connections). dynamo-dedupe.ts
   * now writes a random token with each claim and asks for the stored item when the condition fails, so the
   * retry recognises its own claim.
   */
  const LATE_MS = 2_000;

  it('DynamoDB claim applied, answer late: the SDK retry meets its own claim, and the callback alerts exactly once', async () => {
    const w = await warmWorld('late-claim');
    const item = callback();
    proxy.answerLate.set('dynamodb:PutItem', LATE_MS);

    const result = await send(w, item);
    noteTiming('9 late DynamoDB claim', 'webhook (warm)', result);
    expect(result).toMatchObject({ status: 200, body: { accepted: 1, duplicates: 0 } });
    // Two PutItems prove the SDK retried after the timeout, then the claim was completed.
    expect(actionsOf('dynamodb')).toEqual(['PutItem', 'PutItem', 'UpdateItem']);
    expect(await alerted(w)).toEqual([idOf(item)]);
    expect(await parked(w)).toBe(0);
    await expectSettled(w, item);
  });

  it('SNS PublishBatch applied, answer late: never re-sent by the SDK; parked, the queue makes the one extra publish (two alerts, never lost)', async () => {
    // SNS standard topics (the only kind that reaches email and SMS) have no idempotency key, so a publish
    // that went through unseen cannot be told from one that did not: one more publish is allowed, not more.
    const w = await warmWorld('late-publish');
    const item = callback();
    const mark = output.length;
    proxy.answerLate.set('sns:PublishBatch', LATE_MS);

    const result = await send(w, item);
    noteTiming('9 late SNS PublishBatch', 'webhook (warm)', result);
    expect(result).toMatchObject({ status: 202, body: { accepted: 0, duplicates: 0 } });
    expect(actionsOf('sns')).toEqual(['PublishBatch']);
    expect(actionsOf('dynamodb')).toEqual(['PutItem', 'UpdateItem']); // the claim, then its unknown outcome recorded
    const alerts = await alerted(w);
    expect(alerts).toEqual([idOf(item)]);
    expect(await parked(w)).toBe(1);

    expect(await drain(w)).toEqual({ received: 1, failed: [] });
    alerts.push(...(await alerted(w)));
    alertTotals.push(`9b late PublishBatch: ${alerts.length} alerts for one callback`);
    expect(alerts).toEqual([idOf(item), idOf(item)]);
    expectOneOrTwoAlertsEach(alerts, item);
    expect(metricsSince(mark)).toMatchObject({ [M.publishAmbiguous]: 1, [M.published]: 1, [M.parked]: 1 });
    await expectSettled(w, item);
  });
});

describe('10. A claim left behind: SNS down, then DynamoDB refusing to release the claim', () => {
  /**
   * The claim is taken, the publish fails, and giving the claim back fails too, so it stays pending until
   * its 60 s lease lapses. Found with this test: the parked request was retried at once, met that pending
   * claim, took it for a duplicate and was deleted from the queue: the alert was lost. A pending claim held
   * by another attempt is now 'busy': the retry fails with backoff, and alerts once the lease has lapsed.
   */
  it('parks (202), the retry meets the pending claim and backs off instead of dropping it, then alerts once', async () => {
    const w = await world('claim-left');
    const item = callback();
    const mark = output.length;
    proxy.failing.add('sns');
    proxy.failingActions.add('dynamodb:DeleteItem');

    const response = await send(w, item);
    noteTiming('10 claim left behind', 'webhook (SNS 503, DeleteItem 503)', response);
    expect(response).toMatchObject({ status: 202, body: { accepted: 0 } });
    expect(actionsOf('dynamodb')).toEqual(['PutItem', 'DeleteItem', 'DeleteItem']);
    expect(await parked(w)).toBe(1);
    expect(logsSince(mark, 'Could not release claim after a failed publish')).toHaveLength(1);

    // SNS and DynamoDB are back; the retry comes at once, while the claim left behind is still leased.
    proxy.failing.clear();
    proxy.failingActions.clear();
    const early = await drain(w);
    expect(early).toEqual({ received: 1, failed: [expect.any(String)] });
    expect(logsSince(mark, 'Parked request failed again; retrying later')).toEqual([
      expect.objectContaining({ attempt: 1, reason: 'claimed by another attempt' }),
    ]);
    expect(await alerted(w)).toEqual([]);
    expect(await parked(w)).toBe(1);

    // The lease lapses and the backoff ends: the retry takes the claim and alerts, once.
    await endLease(w, item);
    await endBackoff(w, early.failed);
    expect(await drain(w)).toEqual({ received: 1, failed: [] });
    expect(await alerted(w)).toEqual([idOf(item)]);
    await expectSettled(w, item);
    expect(metricsSince(mark)).toMatchObject({ [M.busy]: 1, [M.retriesFailed]: 1, [M.published]: 1 });
  });
});

describe('11. SNS down for good: every retry fails, the request goes to the dead-letter queue, a redrive alerts once', () => {
  /**
   * The bounded end of the retry path: after RETRY_QUEUE.maxReceiveCount failed attempts SQS moves the parked
   * request to the DLQ (its RetryDeadLetters alarm pages someone). The message must arrive there intact, so
   * that after the fix a redrive (the SQS console's "Start DLQ redrive", which moves messages back with their
   * attributes) alerts exactly once. moto has no message-move tasks, so the test moves the message itself.
   */
  it(`parks, fails ${RETRY_QUEUE.maxReceiveCount} retries with backoff, lands in the DLQ intact; the redrive alerts once`, async () => {
    const w = await world('dlq');
    const item = callback();
    const mark = output.length;
    proxy.failing.add('sns');
    expect(await send(w, item)).toMatchObject({ status: 202 });

    const attempts: number[] = [];
    for (;;) {
      const result = await drain(w);
      if (result.received === 0) break;
      expect(result.failed).toHaveLength(1);
      attempts.push(attempts.length + 1);
      await endBackoff(w, result.failed);
      expect(attempts.length).toBeLessThanOrEqual(RETRY_QUEUE.maxReceiveCount);
    }
    expect(attempts).toHaveLength(RETRY_QUEUE.maxReceiveCount);
    expect(logsSince(mark, 'Parked request failed again; retrying later').map((l) => l.backoffSeconds)).toEqual(
      attempts.map((attempt) => backoffSeconds(attempt)),
    );
    expect(await parked(w)).toBe(0);
    expect(await alerted(w)).toEqual([]);

    // In the DLQ: the verified item without its hash or personal fields, and its receive time; nothing else.
    const { Messages = [] } = await w.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: w.resources.dlqUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
        WaitTimeSeconds: 1,
      }),
    );
    expect(Messages).toHaveLength(1);
    const [dead] = Messages;
    expect(dead.Body).toBe(JSON.stringify({ callbacks: [parkable(item, false)] }));
    expect(dead.Body).not.toContain(String(item.hash));
    expect(dead.MessageAttributes?.verified?.StringValue).toBe('true');
    expect(Object.keys(dead.MessageAttributes ?? {}).sort()).toEqual(Object.values(PARKED_ATTRIBUTES).sort());

    // SNS is fixed; the redrive moves the message back with its attributes, and the retry alerts once.
    proxy.failing.clear();
    await w.sqs.send(
      new SendMessageCommand({ QueueUrl: w.resources.retryQueueUrl, MessageBody: dead.Body, MessageAttributes: dead.MessageAttributes }),
    );
    await w.sqs.send(new DeleteMessageCommand({ QueueUrl: w.resources.dlqUrl, ReceiptHandle: dead.ReceiptHandle }));
    const redriven = output.length;
    expect(await drain(w)).toEqual({ received: 1, failed: [] });
    expect(await alerted(w)).toEqual([idOf(item)]);
    expect(logsSince(redriven, 'Parked request handled')).toEqual([expect.objectContaining({ accepted: 1 })]);
    await expectSettled(w, item);
  });
});

describe('12. DynamoDB refusing to complete the claim after the alert went out', () => {
  /**
   * The alert is out, but the claim stays pending (UpdateItem failing). Until its lease lapses a re-send is
   * busy: parked, not suppressed, since nothing tells a claim whose alert went out from one whose attempt
   * died before publishing. After the lease the retry alerts again: one duplicate, the same trade-off as
   * fault 3 (a duplicate beats a lost alert). Then it is settled.
   */
  it('200 and one alert; a re-send within the lease is parked (busy); after the lease one more alert, then settled', async () => {
    const w = await world('complete-fails');
    const item = callback();
    proxy.failingActions.add('dynamodb:UpdateItem');
    expect(await send(w, item)).toMatchObject({ status: 200, body: { accepted: 1 } });
    expect(actionsOf('dynamodb')).toEqual(['PutItem', 'UpdateItem', 'UpdateItem']);
    expect(await alerted(w)).toEqual([idOf(item)]);
    proxy.failingActions.clear();

    expect(await send(w, item)).toMatchObject({ status: 202, body: { accepted: 0, duplicates: 0 } });
    const early = await drain(w);
    expect(early).toEqual({ received: 1, failed: [expect.any(String)] });
    expect(await alerted(w)).toEqual([]);

    await endLease(w, item);
    await endBackoff(w, early.failed);
    expect(await drain(w)).toEqual({ received: 1, failed: [] });
    expect(await alerted(w)).toEqual([idOf(item)]);
    await expectSettled(w, item);
  });
});

describe('13. SNS slow: each PublishBatch applied, its answer later than the 1.5 s request timeout (outcome unknown)', () => {
  /**
   * A timed-out publish may have gone out: SNS standard topics have no idempotency key, so it can be neither
   * confirmed nor safely re-sent. Found with this test: the SDK re-sent every timed-out PublishBatch, the
   * claim was released and every queue retry published again: one min_balance gave 18 alerts before the
   * request reached the DLQ. Now the SNS client never re-sends a request that may have arrived, the claim
   * records the unknown outcome, and exactly one more publish is allowed for that callback, by the parked path.
   */
  const LATE_MS = 2_000;

  it('slow but working: one genuine min_balance alerts once or twice across the webhook and every queue retry, then settled', async () => {
    const w = await warmWorld('slow-sns');
    const item = callback();
    const mark = output.length;
    proxy.answerLateEvery.set('sns:PublishBatch', LATE_MS);

    const response = await send(w, item);
    noteTiming('13 SNS slow', 'webhook (warm, every PublishBatch answered 2 s late)', response);
    expect(response).toMatchObject({ status: 202, body: { accepted: 0 } });
    const alerts = await alerted(w);
    alerts.push(...(await drainUntilSettled(w)));
    alertTotals.push(`13 SNS slow: ${alerts.length} alerts for one callback, ${actionsOf('sns').length} PublishBatch requests`);
    expectOneOrTwoAlertsEach(alerts, item);
    expect(await parked(w)).toBe(0);
    expect(await deadLettered(w)).toBe(0);
    expect(metricsSince(mark)[M.publishAmbiguous]).toBeGreaterThanOrEqual(1);
    await expectSettled(w, item);
  });

  it('the emulator froze and recovered: claim and publish both timed out but landed; at most 2 alerts, the re-send settles after the lease', async () => {
    const w = await warmWorld('frozen');
    const item = callback();
    proxy.answerLateEvery.set('dynamodb:PutItem', LATE_MS);
    proxy.answerLateEvery.set('sns:PublishBatch', LATE_MS);

    const response = await send(w, item);
    noteTiming('13 frozen emulator', 'webhook (warm, PutItem and PublishBatch answered 2 s late)', response);
    expect(response.status).toBe(202);
    const alerts = await alerted(w);

    // Recovered; Voximplant re-sends at once, and meets the claim that landed late (pending, not ours).
    proxy.answerLateEvery.clear();
    const resend = await send(w, item);
    expect(resend.status).toBe(202);
    alerts.push(...(await alerted(w)));
    const early = await drain(w);
    alerts.push(...(await alerted(w)));
    await endBackoff(w, early.failed);

    // The stale claim's lease lapses (what time would do); the queue runs to its end.
    await endLease(w, item);
    alerts.push(...(await drainUntilSettled(w)));
    alertTotals.push(`13 frozen emulator: ${alerts.length} alerts for one callback`);
    expectOneOrTwoAlertsEach(alerts, item);
    expect(await parked(w)).toBe(0);
    expect(await deadLettered(w)).toBe(0);
    await expectSettled(w, item);
  });
});

describe('14. A response that starts and stalls (status and headers sent, the body never finishes)', () => {
  /**
   * The dependency applies the request and starts answering, then the body stalls (a half-dead
   * connection, an overloaded proxy). The SDK's connectionTimeout and requestTimeout stop at the headers,
   * so before the invocation deadline (lambda/deadline.ts) such a call ran into Lambda's timeout: no
   * answer, nothing parked, the claim left pending. Now every SDK call carries the deadline's abort
   * signal. Each row: the answer, that it came while the context still had time left (Lambda ends the
   * invocation at 0), and the alerts once the dependency has recovered.
   */
  /** Ends the stall (the SDK has long given up on those connections) and checks nothing is stuck. */
  function recover(...services: Array<'ssm' | 'dynamodb' | 'sns' | 'sqs'>) {
    for (const service of services) proxy.stallingBody.delete(service);
    proxy.failing.clear();
    proxy.releaseHung();
  }

  it('SSM, on a cold start: parks (202) before the deadline; the retry alerts once', async () => {
    const w = await world('stall-ssm');
    const item = callback();
    proxy.stallingBody.add('ssm');

    const response = await send(w, item);
    noteTiming('14 SSM body stalled', 'webhook (cold start)', response);
    expect(response).toMatchObject({ status: 202, body: { message: 'accepted; alerts will be retried' } });
    expect(response.leftMs).toBeGreaterThan(0);
    expect(actionsOf('ssm')).toEqual(['GetParameters']); // aborted, not retried by the SDK
    expect(await parked(w)).toBe(1);
    expect(await alerted(w)).toEqual([]);

    recover('ssm');
    await expectRetryAlertsOnce(w, item);
  });

  it('DynamoDB: the claim gives up within its slice and the alert goes out anyway (200) before the deadline; one alert', async () => {
    const w = await warmWorld('stall-ddb');
    const item = callback();
    const mark = output.length;
    proxy.stallingBody.add('dynamodb');

    const response = await send(w, item);
    noteTiming('14 DynamoDB body stalled', 'webhook (warm)', response);
    expect(response).toMatchObject({ status: 200, body: { accepted: 1 } });
    expect(response.leftMs).toBeGreaterThan(0);
    expect(metricsSince(mark)).toMatchObject({ [M.dedupeUnavailable]: 1, [M.published]: 1 });
    expect(await alerted(w)).toEqual([idOf(item)]);
    expect(await parked(w)).toBe(0);

    // 200 ends it for the sender; nothing else alerts after recovery. (The claim that landed unseen stays
    // pending until its lease lapses: a re-send meanwhile is parked as busy, as in fault 12.)
    recover('dynamodb');
    expect(await drain(w)).toEqual({ received: 0, failed: [] });
    expect(await alerted(w)).toEqual([]);
  });

  it('SNS: parks (202) before the deadline with the claim settled; the stalled publish did go out, so at most two alerts', async () => {
    const w = await warmWorld('stall-sns');
    const item = callback();
    proxy.stallingBody.add('sns');

    const response = await send(w, item);
    noteTiming('14 SNS body stalled', 'webhook (warm)', response);
    expect(response).toMatchObject({ status: 202, body: { accepted: 0 } });
    expect(response.leftMs).toBeGreaterThan(0);
    // The claim is settled in the time kept for it: recorded ambiguous (UpdateItem), as in Lambda; under
    // Jest, smithy's retry middleware wraps the cross-realm 'aborted' error of node:http and loses its
    // status, so the outcome reads as refused and the claim is released (DeleteItem) instead.
    expect(actionsOf('dynamodb')).toEqual(['PutItem', expect.stringMatching(/^(UpdateItem|DeleteItem)$/)]);
    expect(actionsOf('sqs')).toEqual(['SendMessage']);
    const alerts = await alerted(w); // SNS applied the publish before its answer stalled (ambiguous: fault 9's kind)
    expect(await parked(w)).toBe(1);

    recover('sns');
    expect(await drain(w)).toEqual({ received: 1, failed: [] });
    alerts.push(...(await alerted(w)));
    alertTotals.push(`14 SNS body stalled: ${alerts.length} alerts for one callback`);
    expectOneOrTwoAlertsEach(alerts, item);
    await expectSettled(w, item);
  });

  it('SQS while parking (SNS failing): 503 before the deadline; the stalled SendMessage landed, and the callback alerts once', async () => {
    const w = await warmWorld('stall-sqs');
    const item = callback();
    proxy.failing.add('sns');
    proxy.stallingBody.add('sqs');

    const response = await send(w, item);
    noteTiming('14 SQS body stalled (SNS 503)', 'webhook (warm)', response);
    expect(response).toMatchObject({ status: 503 });
    expect(response.leftMs).toBeGreaterThan(0);
    expect(actionsOf('sqs')).toEqual(['SendMessage']);
    expect(await parked(w)).toBe(1); // it landed; the function could not know
    expect(await alerted(w)).toEqual([]);

    recover('sqs');
    // The sender re-sends after the 503, and the queue retries what landed: one of them alerts.
    expect(await send(w, item)).toMatchObject({ status: 200, body: { accepted: 1 } });
    expect(await drain(w)).toEqual({ received: 1, failed: [] });
    expect(await alerted(w)).toEqual([idOf(item)]);
    await expectSettled(w, item);
  });

  it('the secrets refresh meets a stalled SSM while DynamoDB and SNS stall too: the cached secrets, 202 before the deadline, one alert', async () => {
    // A TTL of 1 ms: every request after the first refreshes, as the first one after each 5 minutes does.
    process.env[ENV.secretsTtlSeconds] = '0.001';
    let w: World;
    try {
      w = await warmWorld('stall-refresh');
    } finally {
      delete process.env[ENV.secretsTtlSeconds];
    }
    const item = callback();
    const mark = output.length;
    for (const service of ['ssm', 'dynamodb', 'sns'] as const) proxy.stallingBody.add(service);

    const response = await send(w, item);
    noteTiming('14 SSM refresh, DynamoDB, SNS stalled', 'webhook (warm, secrets expired)', response);
    expect(response).toMatchObject({ status: 202 });
    expect(response.leftMs).toBeGreaterThan(0);
    expect(logsSince(mark, 'SSM did not answer in time; using the cached secrets')).toHaveLength(1);
    expect(actionsOf('sqs')).toEqual(['SendMessage']);
    expect(await parked(w)).toBe(1);

    recover('ssm', 'dynamodb', 'sns');
    await endLease(w, item); // the claim landed unseen before its answer stalled
    await expectRetryAlertsOnce(w, item);
  });

  it.each([
    { name: 'SNS', stall: ['sns'] as const },
    { name: 'DynamoDB and SNS', stall: ['dynamodb', 'sns'] as const },
  ])(
    'a full retry batch of 10 with $name stalled: all 10 fail with backoff before the deadline; at most two alerts each after recovery',
    async ({ name, stall }) => {
      const w = await warmWorld(`stall-batch-${stall.join('-')}`);
      const items = Array.from({ length: 10 }, () => callback());
      for (const item of items) {
        // As the webhook parks a verified item: only what the retry needs, no hash.
        const { body, attributes } = encodeParked({
          body: JSON.stringify({ callbacks: [parkable(item, false)] }),
          receivedAt: Date.now(),
          verified: true,
        });
        await w.sqs.send(
          new SendMessageCommand({
            QueueUrl: w.resources.retryQueueUrl,
            MessageBody: body,
            MessageAttributes: Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }])),
          }),
        );
      }
      const mark = output.length;
      for (const service of stall) proxy.stallingBody.add(service);

      const { result, ms, leftMs } = await drainTimed(w);
      timings.push({ fault: `14 ${name} body stalled`, step: 'retry batch of 10', ms, leftMs });
      expect(result).toEqual({ received: 10, failed: expect.any(Array) });
      expect(result.failed).toHaveLength(10);
      expect(leftMs).toBeGreaterThan(0);
      expect(actionsOf('sqs')).toEqual(['ChangeMessageVisibilityBatch']); // one call backs off all ten
      expect(logsSince(mark, 'Parked request failed again; retrying later')).toHaveLength(10);
      expect(await drain(w)).toEqual({ received: 0, failed: [] }); // every one hidden by its backoff
      expect(await parked(w)).toBe(10);
      const alerts = await alerted(w); // publishes that SNS applied before its answer stalled

      recover(...stall);
      for (const item of items) {
        // Only claims that landed unseen are still pending; the others fail endLease's condition.
        await endLease(w, item).catch((error: Error) => expect(error.name).toBe('ConditionalCheckFailedException'));
      }
      await endBackoff(w, result.failed);
      expect(await drain(w)).toEqual({ received: 10, failed: [] });
      alerts.push(...(await alerted(w)));
      const perCallback = items.map((item) => alerts.filter((id) => id === idOf(item)).length);
      alertTotals.push(`14 ${name} body stalled, retry batch of 10: ${perCallback.join(',')} alerts per callback`);
      expectOneOrTwoAlertsEach(alerts, ...items);
      expect(await parked(w)).toBe(0);
    },
  );
});
