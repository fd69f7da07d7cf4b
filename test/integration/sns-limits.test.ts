/**
 * SNS's real limits (issue 11, section 1), on the wire: the real handler and SDK clients against moto through
 * a FaultProxy, which refuses a PublishBatch that breaks SNS's documented limits as AWS does (HTTP 400 with
 * the error code; lambda/sns-limits.ts), where moto alone would accept it.
 *
 * Rows: genuine requests whose alerts are as large as lambda/render/ lets them be (long lists of multi-byte
 * values) must alert every callback exactly once, min_balance in the first call, with nothing refused and
 * nothing parked. Before the fix each entry carried the email text about seven times, and the one call the
 * receiver built (about 289 KB and 796 KB for these inputs) was refused whole: parked, and refused again on
 * every retry and every DLQ redrive. Then the check itself, with the SDK's own serialization: what it
 * refuses and with which error.
 */
import { randomUUID } from 'node:crypto';
import { PublishBatchCommand, SNSClient, SNSServiceException, type PublishBatchRequestEntry } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Alert } from '../../lambda/model';
import type { handler as Handler } from '../../lambda/handler';
import { MESSAGE_ATTRIBUTES } from '../../lambda/contract';
import { buildCallback, envelope } from '../../local/callbacks';
import { provision, readInbox, receiverEnv, type LocalResources } from '../../local/provision';
import { FaultProxy, type PublishBatchEntry } from '../support/fault-proxy';
import { httpEvent, VOX } from '../../local/fixtures';
import { cyrillicRenewals, emojiCertificates } from '../../local/large-callbacks';
import { INCIDENTS_OFF } from '../support/fixtures';

const MOTO = process.env.MOTO_ENDPOINT!;
let proxy: FaultProxy;
let resources: LocalResources;
let handler: typeof Handler;
let sqs: SQSClient;
let nextId = 11_000;
/** Every PublishBatch entry that reached moto, in the order the calls arrived (one array per call). */
let calls: PublishBatchEntry[][] = [];

beforeAll(async () => {
  resources = await provision(`sns-limits-${randomUUID().slice(0, 8)}`, VOX);
  proxy = await new FaultProxy(MOTO).start();
  sqs = new SQSClient({ endpoint: MOTO });
  jest.spyOn(process.stdout, 'write').mockImplementation(() => true); // the function's logs: not needed here
  Object.assign(process.env, receiverEnv(resources), {
    ...INCIDENTS_OFF,
    AWS_ENDPOINT_URL: proxy.endpoint,
    RETRY_QUEUE_URL: resources.retryQueueUrl.replace(MOTO, proxy.endpoint),
    ALERT_TYPES: '*',
  });
  ({ handler } = await import('../../lambda/handler'));
});

afterAll(async () => {
  jest.restoreAllMocks();
  process.env.AWS_ENDPOINT_URL = MOTO;
  sqs.destroy();
  await proxy.stop();
});

beforeEach(async () => {
  calls = [];
  // Refuses nothing: only watches each call's entries on their way to moto.
  let call: PublishBatchEntry[] | undefined;
  proxy.refusePublishEntry = (entry) => {
    if (entry.Id === '0' || call === undefined) calls.push((call = []));
    call.push(entry);
    return false;
  };
  await readInbox(sqs, resources.queueUrl, { waitMs: 0 });
});

async function send(...callbacks: Array<Record<string, unknown>>) {
  const result = await handler(httpEvent(envelope(...callbacks)));
  return { status: result.statusCode, body: JSON.parse(result.body ?? '{}') as Record<string, unknown> };
}

const alertOf = (entry: PublishBatchEntry) => JSON.parse(JSON.parse(entry.Message).default) as Alert;
const bytesOf = (entries: readonly PublishBatchEntry[]) =>
  entries.reduce((sum, e) => sum + Buffer.byteLength(e.Message) + Buffer.byteLength(e.Subject ?? ''), 0);

describe.each([
  { name: 'nine renewed_subscriptions, each 12 phone numbers with Cyrillic details', make: cyrillicRenewals },
  { name: 'nine expiring_certificates with emoji certificate and application names', make: emojiCertificates },
])('A genuine min_balance and $name, in one request', ({ make }) => {
  it('alerts every callback exactly once, min_balance in the first call; nothing refused, nothing parked', async () => {
    const minBalance = buildCallback(VOX, { callbackId: nextId++ });
    const large = Array.from({ length: 9 }, () => make(VOX, nextId++));
    const batch = [minBalance, ...large];
    const refusedBefore = proxy.snsLimitRefusals.length;

    const response = await send(...batch);
    expect(proxy.snsLimitRefusals.slice(refusedBefore)).toEqual([]);
    expect(response).toEqual({ status: 200, body: { accepted: 10, duplicates: 0, ignored: 0, rejected: 0 } });
    expect(calls.length).toBeGreaterThanOrEqual(1);
    expect(alertOf(calls[0][0])).toMatchObject({ callbackId: minBalance.callback_id, type: 'min_balance' });
    for (const call of calls) expect(bytesOf(call)).toBeLessThan(262_144);
    console.log(
      `${String(make.name)}: ${calls.length} PublishBatch call(s) of ${calls.map((c) => `${c.length} entries, ${bytesOf(c)} bytes`).join('; ')}`,
    );

    const inbox = await readInbox(sqs, resources.queueUrl, { expected: batch.length + 1, waitMs: 3000 });
    const ids = inbox.map((m) => (JSON.parse(m.message) as Alert).callbackId).sort((a, b) => a - b);
    expect(ids).toEqual(batch.map((c) => c.callback_id as number).sort((a, b) => a - b));
    // Email subscribers still get the readable text, subscribers filter on the attributes.
    const minBalanceAlert = inbox.find((m) => m.attributes[MESSAGE_ATTRIBUTES.callbackType] === 'min_balance')!;
    expect(minBalanceAlert.attributes).toEqual({ callback_type: 'min_balance', severity: 'critical' });
    expect(JSON.parse(minBalanceAlert.message)).toMatchObject({ email: expect.stringContaining('Balance: 4.87 USD') });

    // Voximplant's re-send: all duplicates, nothing published, nothing parked.
    expect(await send(...batch)).toMatchObject({ status: 200, body: { accepted: 0, duplicates: 10 } });
    expect(await readInbox(sqs, resources.queueUrl, { expected: 1, waitMs: 1000 })).toEqual([]);
    const parked = await readInbox(sqs, resources.retryQueueUrl, { waitMs: 0 });
    expect(parked).toEqual([]);
  });
});

describe('The SNS limits check in front of moto, with the SDK’s own requests', () => {
  let client: SNSClient;
  beforeAll(() => {
    client = new SNSClient({ endpoint: proxy.endpoint, maxAttempts: 1 });
  });
  afterAll(() => client.destroy());

  const entry = (Id: string, overrides: Partial<PublishBatchRequestEntry> = {}): PublishBatchRequestEntry => ({
    Id,
    Message: 'hello',
    Subject: 'Voximplant: test',
    MessageAttributes: { severity: { DataType: 'String', StringValue: 'info' } },
    ...overrides,
  });

  async function publish(entries: PublishBatchRequestEntry[]) {
    const error = await client.send(new PublishBatchCommand({ TopicArn: resources.topicArn, PublishBatchRequestEntries: entries })).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (error === undefined) return 'accepted';
    expect(error).toBeInstanceOf(SNSServiceException);
    const { name, $metadata } = error as SNSServiceException;
    return `${$metadata.httpStatusCode} ${name}`;
  }

  it('refuses what AWS refuses, with AWS’s error, and lets nothing of it reach moto', async () => {
    const kib = (n: number) => 'x'.repeat(n * 1024);
    const rows: Array<[string, PublishBatchRequestEntry[], string]> = [
      [
        'two messages of 127 KiB (with subjects and attributes, under 256 KiB together)',
        [entry('a', { Message: kib(127) }), entry('b', { Message: kib(127) })],
        'accepted',
      ],
      ['ten messages of 25 KiB', Array.from({ length: 10 }, (_, i) => entry(`e${i}`, { Message: kib(25) })), 'accepted'],
      [
        'two messages of 128 KiB (each fits; together 262,144 bytes of bodies, plus subjects and attributes)',
        [entry('a', { Message: kib(128) }), entry('b', { Message: kib(128) })],
        '400 BatchRequestTooLongException',
      ],
      ['one message of 256 KiB plus a subject', [entry('a', { Message: kib(256) })], '400 InvalidParameterException'],
      ['11 entries', Array.from({ length: 11 }, (_, i) => entry(`e${i}`)), '400 TooManyEntriesInBatchRequestException'],
      ['the same id twice', [entry('a'), entry('a')], '400 BatchEntryIdsNotDistinctException'],
      ['an id with a dot', [entry('a.b')], '400 InvalidBatchEntryIdException'],
      ['a subject of 100 characters', [entry('a', { Subject: 'S'.repeat(100) })], '400 InvalidParameterException'],
      ['a subject with a line break', [entry('a', { Subject: 'Voximplant:\nbalance low' })], '400 InvalidParameterException'],
      ['a Cyrillic subject', [entry('a', { Subject: 'Баланс' })], '400 InvalidParameterException'],
      [
        'an attribute named AWS.x',
        [entry('a', { MessageAttributes: { 'AWS.x': { DataType: 'String', StringValue: 'v' } } })],
        '400 InvalidParameterException',
      ],
      [
        '11 message attributes',
        [
          entry('a', {
            MessageAttributes: Object.fromEntries(
              Array.from({ length: 11 }, (_, i) => [`a${i}`, { DataType: 'String', StringValue: 'v' }]),
            ),
          }),
        ],
        '400 InvalidParameterException',
      ],
      [
        'a Number attribute that is not a number',
        [entry('a', { MessageAttributes: { n: { DataType: 'Number', StringValue: 'many' } } })],
        '400 InvalidParameterValueException',
      ],
      ['json without a default key', [entry('a', { MessageStructure: 'json', Message: '{"email":"x"}' })], '400 InvalidParameterException'],
    ];
    await readInbox(sqs, resources.queueUrl, { waitMs: 0 });
    const answers: string[] = [];
    for (const [, entries] of rows) answers.push(await publish(entries));
    expect(answers).toEqual(rows.map(([, , expected]) => expected));
    // Only the two accepted calls reached moto: 12 messages in the inbox.
    expect(await readInbox(sqs, resources.queueUrl, { expected: 13, waitMs: 1500 })).toHaveLength(12);
  });
});
