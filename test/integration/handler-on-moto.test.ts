/**
 * The real handler with the real SDK clients against moto server, through a fault-injecting proxy:
 * SSM holds the secrets, DynamoDB the dedupe records, SNS fans out to an SQS queue that is the inbox.
 */
import { randomUUID } from 'node:crypto';
import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Alert } from '../../lambda/model';
import type { handler as Handler } from '../../lambda/handler';
import { buildCallback, envelope } from '../../local/callbacks';
import { SSMClient } from '@aws-sdk/client-ssm';
import { provision, putSecrets, readInbox, receiverEnv, type LocalResources } from '../../local/provision';
import { pollOnce } from '../../local/sqs-event-source';
import { FaultProxy } from '../support/fault-proxy';
import { httpEvent, VOX } from '../../local/fixtures';
import { INCIDENTS_OFF } from '../support/fixtures';

let resources: LocalResources;
let proxy: FaultProxy;
let handler: typeof Handler;
let sqs: SQSClient;
let nextId = 1000;
/** Everything the Lambda wrote (Powertools logs and EMF metrics), captured instead of printed. */
let output = '';

beforeAll(async () => {
  resources = await provision(`it-${randomUUID().slice(0, 8)}`, VOX);
  proxy = await new FaultProxy(process.env.MOTO_ENDPOINT!).start();
  sqs = new SQSClient({ endpoint: process.env.MOTO_ENDPOINT });
  for (const stream of [process.stdout, process.stderr]) {
    jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      output += chunk.toString();
      return true;
    });
  }
  // The handler builds its clients at import, from the environment the stack would give it.
  Object.assign(process.env, receiverEnv(resources), {
    ...INCIDENTS_OFF,
    AWS_ENDPOINT_URL: proxy.endpoint,
    // The SQS client sends to the queue URL's host: route it through the proxy as well.
    RETRY_QUEUE_URL: resources.retryQueueUrl.replace(process.env.MOTO_ENDPOINT!, proxy.endpoint),
    ALERT_TYPES: 'min_balance,account_is_frozen',
  });
  ({ handler } = await import('../../lambda/handler'));
});

afterAll(async () => {
  jest.restoreAllMocks();
  sqs.destroy();
  await proxy.stop();
});

beforeEach(async () => {
  proxy.failing.clear();
  await readInbox(sqs, resources.queueUrl, { waitMs: 0 }); // start each test with an empty inbox
});

async function send(...callbacks: Array<Record<string, unknown>>) {
  const result = await handler(httpEvent(envelope(...callbacks)));
  return { status: result.statusCode, body: JSON.parse(result.body ?? '{}') };
}

/** Ends the backoff of failed retries now (what time would do). */
async function endBackoff(receiptHandles: string[]) {
  for (const ReceiptHandle of receiptHandles) {
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: resources.retryQueueUrl, ReceiptHandle, VisibilityTimeout: 0 }));
  }
}

function alertOf(message: { message: string }): Alert {
  return JSON.parse(message.message) as Alert;
}

it('delivers one alert for a signed min_balance callback, with subject and filterable attributes', async () => {
  const id = nextId++;
  const response = await send(buildCallback(VOX, { callbackId: id }));
  expect(response).toEqual({ status: 200, body: { accepted: 1, duplicates: 0, ignored: 0, rejected: 0 } });

  const inbox = await readInbox(sqs, resources.queueUrl, { expected: 2, waitMs: 1500 });
  expect(inbox).toHaveLength(1);
  expect(inbox[0].subject).toMatch(/balance/i);
  expect(inbox[0].attributes).toEqual({ callback_type: 'min_balance', severity: 'critical' });
  expect(alertOf(inbox[0])).toMatchObject({ callbackId: id, type: 'min_balance', severity: 'critical' });
  expect(alertOf(inbox[0]).email).toContain('4.87 USD');
});

it('suppresses the same batch sent twice', async () => {
  const batch = [buildCallback(VOX, { callbackId: nextId++ }), buildCallback(VOX, { callbackId: nextId++ })];
  expect((await send(...batch)).body).toMatchObject({ accepted: 2 });
  expect((await send(...batch)).body).toEqual({ accepted: 0, duplicates: 2, ignored: 0, rejected: 0 });
  expect(await readInbox(sqs, resources.queueUrl, { expected: 3, waitMs: 1500 })).toHaveLength(2);
});

it('answers 401 to a forged batch and publishes nothing', async () => {
  const forged = buildCallback(VOX, { callbackId: nextId++, signWith: { salt: VOX.salt, apiKey: 'stolen?' } });
  expect(await send(forged)).toEqual({ status: 401, body: { message: 'unauthorized' } });
  expect(await readInbox(sqs, resources.queueUrl, { expected: 1, waitMs: 1000 })).toHaveLength(0);
});

it('consumes a verified id of an ignored type: its captured hash cannot come back as a min_balance alert', async () => {
  const payment = buildCallback(VOX, { callbackId: nextId++, type: 'card_payment', data: { amount: 10 } });
  expect(await send(payment)).toEqual({ status: 200, body: { accepted: 0, duplicates: 0, ignored: 1, rejected: 0 } });
  const replay = { ...payment, type: 'min_balance', balance: 0.01, account_name: 'call +1 555 0100 now', min_balance: {} };
  expect(await send(replay)).toEqual({ status: 200, body: { accepted: 0, duplicates: 1, ignored: 0, rejected: 0 } });
  expect(await readInbox(sqs, resources.queueUrl, { expected: 1, waitMs: 1000 })).toHaveLength(0);
});

it('makes zero SSM calls on a warm invocation', async () => {
  await send(buildCallback(VOX, { callbackId: nextId++ })); // warm (or already warm)
  proxy.resetCounts();
  await send(buildCallback(VOX, { callbackId: nextId++ }));
  expect(proxy.calls.ssm).toBe(0);
  expect(proxy.calls.sns).toBe(1); // one PublishBatch
  await readInbox(sqs, resources.queueUrl, { expected: 2, waitMs: 1500 });
});

/** Lambda's SQS event source, once: hands whatever is parked to the handler. */
function drainRetryQueue(fn: typeof Handler = handler) {
  return pollOnce(sqs, resources.retryQueueUrl, (event) => fn(event));
}

it('parks the request while SNS fails (202), then the queue retry alerts exactly once', async () => {
  const batch = [buildCallback(VOX, { callbackId: nextId++ }), buildCallback(VOX, { callbackId: nextId++, type: 'account_is_frozen' })];
  proxy.failing.add('sns');
  const parked = await send(...batch);
  expect(parked).toEqual({
    status: 202,
    body: { message: 'accepted; alerts will be retried', accepted: 0, duplicates: 0, ignored: 0, rejected: 0 },
  });
  // A retry while SNS still fails goes back to the queue.
  const retry = await drainRetryQueue();
  expect(retry).toEqual({ received: 1, failed: [expect.any(String)] });
  expect(await readInbox(sqs, resources.queueUrl, { expected: 1, waitMs: 1000 })).toHaveLength(0);

  proxy.failing.clear();
  // The failed retry pushed the message out of sight with backoff; end it instead of waiting.
  await endBackoff(retry.failed);
  expect(await drainRetryQueue()).toEqual({ received: 1, failed: [] });
  // Voximplant re-sending the same batch later is a duplicate: one alert per callback, whoever retried.
  expect(await send(...batch)).toMatchObject({ status: 200, body: { accepted: 0, duplicates: 2 } });
  const inbox = await readInbox(sqs, resources.queueUrl, { expected: 3, waitMs: 1500 });
  expect(inbox.map((m) => m.attributes.callback_type).sort()).toEqual(['account_is_frozen', 'min_balance']);
});

it('answers 503 only when SNS fails and the retry queue is unreachable too', async () => {
  proxy.failing.add('sns');
  proxy.failing.add('sqs');
  const item = buildCallback(VOX, { callbackId: nextId++ });
  expect((await send(item)).status).toBe(503);
  proxy.failing.clear();
  expect(await send(item)).toMatchObject({ status: 200, body: { accepted: 1 } });
  expect(await readInbox(sqs, resources.queueUrl, { expected: 2, waitMs: 1500 })).toHaveLength(1);
});

it('still alerts while DynamoDB fails (a duplicate beats a lost alert)', async () => {
  proxy.failing.add('dynamodb');
  expect((await send(buildCallback(VOX, { callbackId: nextId++ }))).status).toBe(200);
  expect(await readInbox(sqs, resources.queueUrl, { expected: 1, waitMs: 1500 })).toHaveLength(1);
});

it('parks on a cold start while SSM fails, and the retry alerts once after recovery', async () => {
  // A fresh copy of the handler module is a fresh container: nothing cached.
  let cold!: typeof Handler;
  jest.isolateModules(() => {
    cold = (require('../../lambda/handler') as { handler: typeof Handler }).handler;
  });
  const item = buildCallback(VOX, { callbackId: nextId++ });
  proxy.failing.add('ssm');
  expect((await cold(httpEvent(envelope(item)))).statusCode).toBe(202);
  expect(await readInbox(sqs, resources.queueUrl, { expected: 1, waitMs: 1000 })).toHaveLength(0);

  proxy.failing.clear();
  expect(await drainRetryQueue(cold)).toEqual({ received: 1, failed: [] });
  expect((await cold(httpEvent(envelope(item)))).body).toContain('"duplicates":1');
  expect(await readInbox(sqs, resources.queueUrl, { expected: 2, waitMs: 1500 })).toHaveLength(1);
});

it('a request verified and parked survives a salt and key rotation before its retry: exactly one alert', async () => {
  const item = buildCallback(VOX, { callbackId: nextId++ });
  proxy.failing.add('sns');
  expect((await send(item)).status).toBe(202);
  proxy.failing.clear();

  // Rotated without keeping the -previous values; the retry runs in a new container that reads them.
  const ssm = new SSMClient({ endpoint: process.env.MOTO_ENDPOINT });
  try {
    await putSecrets(ssm, resources.parameterPrefix, { ...VOX, salt: 'rotated-salt-0123456789', apiKey: 'rotated-api-key' });
    let cold!: typeof Handler;
    jest.isolateModules(() => {
      cold = (require('../../lambda/handler') as { handler: typeof Handler }).handler;
    });
    expect(await drainRetryQueue(cold)).toEqual({ received: 1, failed: [] });
    const inbox = await readInbox(sqs, resources.queueUrl, { expected: 2, waitMs: 1500 });
    expect(inbox.map((m) => alertOf(m).callbackId)).toEqual([item.callback_id]);
    // The old hash no longer verifies: a re-send by the sender after the rotation is refused, as it should be.
    expect((await cold(httpEvent(envelope(item)))).statusCode).toBe(401);
  } finally {
    await putSecrets(ssm, resources.parameterPrefix, VOX);
    ssm.destroy();
  }
});

it('stamps log keys per invocation: a retry-queue line never carries an earlier webhook request id', async () => {
  proxy.failing.add('sns');
  const event = httpEvent(envelope(buildCallback(VOX, { callbackId: nextId++ })));
  expect((await handler(event)).statusCode).toBe(202);
  proxy.failing.clear();
  const from = output.length;
  expect(await drainRetryQueue()).toEqual({ received: 1, failed: [] });
  const lines = output
    .slice(from)
    .split('\n')
    .filter((line) => line.startsWith('{') && line.includes('"level"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const retryLines = lines.filter((l) => l.source === 'retry-queue');
  expect(retryLines.map((l) => l.message)).toContain('Parked request handled');
  for (const line of retryLines) expect(line.requestId).toBeUndefined();
  expect(output.slice(from)).not.toContain(event.requestContext.requestId);
});

it('answers 500 to a request the receiver throws on, and counts UnhandledErrors (a paging alarm)', async () => {
  let isolated!: typeof Handler;
  jest.isolateModules(() => {
    jest.doMock('../../lambda/http', () => ({
      handleWebhook: () => {
        throw new TypeError('a bug');
      },
    }));
    isolated = (require('../../lambda/handler') as { handler: typeof Handler }).handler;
  });
  jest.dontMock('../../lambda/http');
  const from = output.length;
  const result = await isolated(httpEvent(envelope(buildCallback(VOX, { callbackId: nextId++ }))));
  expect(result).toMatchObject({ statusCode: 500, body: JSON.stringify({ message: 'internal error' }) });
  const lines = output
    .slice(from)
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  expect(lines.some((l) => l.message === 'Unhandled error' && String(l.error).includes('a bug'))).toBe(true);
  expect(lines.some((l) => '_aws' in l && l.UnhandledErrors === 1)).toBe(true);
});

it('logs structured JSON and EMF metrics with no secret, hash or personal field in them', () => {
  const lines = output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  expect(lines.some((l) => l.message === 'Callbacks processed' && typeof l.requestId === 'string')).toBe(true);
  expect(lines.some((l) => '_aws' in l && 'CallbacksReceived' in l && l.service === 'voximplant-alerts')).toBe(true);
  expect(lines.some((l) => l.level === 'ERROR' && String(l.message).includes('503'))).toBe(true);
  const sample = buildCallback(VOX, { callbackId: 1001 });
  for (const secret of [VOX.salt, VOX.apiKey, sample.hash, 'ops@acme.example', 'Jane', 'Doe']) {
    expect(output).not.toContain(String(secret));
  }
});
