/**
 * The AWS edges against stubbed SDK clients (aws-sdk-client-mock): exact requests, caching, error mapping.
 */
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { PublishBatchCommand, SNSClient } from '@aws-sdk/client-sns';
import { ChangeMessageVisibilityBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import type { Alert } from '../../lambda/model';
import { CLAIM_LEASE_SECONDS, DynamoDedupe } from '../../lambda/aws/dynamo-dedupe';
import { SnsPublisher } from '../../lambda/aws/sns-publisher';
import { SqsRetryQueue } from '../../lambda/aws/sqs-retry-queue';
import { SsmSecrets } from '../../lambda/aws/ssm-secrets';
import { SecretsUnavailableError } from '../../lambda/errors';
import { FakeSnsTopic, MemoryLog } from '../support/fakes';
import { VOX } from '../support/fixtures';

const ssm = mockClient(SSMClient);
const dynamodb = mockClient(DynamoDBClient);
const sns = mockClient(SNSClient);
const sqs = mockClient(SQSClient);
beforeEach(() => {
  sqs.reset();
  ssm.reset();
  dynamodb.reset();
  sns.reset();
});

function parameters(values: Record<string, string>) {
  return { Parameters: Object.entries(values).map(([Name, Value]) => ({ Name, Value })), InvalidParameters: [] };
}

const CURRENT = { '/vox/salt': VOX.salt, '/vox/account-id': VOX.accountId, '/vox/api-key': VOX.apiKey };

describe('SsmSecrets', () => {
  function source(now: () => number = Date.now) {
    return new SsmSecrets(new SSMClient({}), '/vox', 300_000, new MemoryLog(), now);
  }

  it('reads all five names in one decrypted GetParameters call', async () => {
    ssm.on(GetParametersCommand).resolves(parameters(CURRENT));
    expect(await source().get()).toEqual({ accountId: VOX.accountId, credentials: [{ salt: VOX.salt, apiKey: VOX.apiKey }] });
    expect(ssm.commandCalls(GetParametersCommand)[0].args[0].input).toEqual({
      Names: ['/vox/salt', '/vox/account-id', '/vox/api-key', '/vox/salt-previous', '/vox/api-key-previous'],
      WithDecryption: true,
    });
  });

  it('makes no SSM call while the cache is fresh, and refreshes after the TTL', async () => {
    ssm.on(GetParametersCommand).resolves(parameters(CURRENT));
    let now = 1_000_000;
    const secrets = source(() => now);
    await secrets.get();
    now += 299_000;
    await secrets.get();
    expect(ssm.commandCalls(GetParametersCommand)).toHaveLength(1);
    now += 2_000;
    await secrets.get();
    expect(ssm.commandCalls(GetParametersCommand)).toHaveLength(2);
  });

  it('shares one refresh between concurrent callers', async () => {
    ssm.on(GetParametersCommand).resolves(parameters(CURRENT));
    const secrets = source();
    await Promise.all([secrets.get(), secrets.get(), secrets.get()]);
    expect(ssm.commandCalls(GetParametersCommand)).toHaveLength(1);
  });

  it('accepts every current/previous combination during a rotation', async () => {
    ssm.on(GetParametersCommand).resolves(parameters({ ...CURRENT, '/vox/salt-previous': 'oldSalt', '/vox/api-key-previous': 'old-key' }));
    const { credentials } = await source().get();
    expect(credentials).toEqual([
      { salt: VOX.salt, apiKey: VOX.apiKey },
      { salt: VOX.salt, apiKey: 'old-key' },
      { salt: 'oldSalt', apiKey: VOX.apiKey },
      { salt: 'oldSalt', apiKey: 'old-key' },
    ]);
  });

  it('names a missing parameter and how to set it', async () => {
    ssm.on(GetParametersCommand).resolves(parameters({ '/vox/account-id': VOX.accountId }));
    const error = await source()
      .get()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretsUnavailableError);
    expect((error as SecretsUnavailableError).missing).toEqual(['/vox/salt', '/vox/api-key']);
    expect((error as Error).message).toMatch(/\/vox\/salt, \/vox\/api-key not found: set them with `npm run configure`/);
  });

  it('fails with SecretsUnavailableError when SSM is down and nothing is cached', async () => {
    ssm.on(GetParametersCommand).rejects(new Error('connect ECONNREFUSED'));
    await expect(source().get()).rejects.toThrow(SecretsUnavailableError);
  });

  describe('a refresh SSM does not answer (headers sent, body stalled)', () => {
    /** An SSM client whose every call waits until the test answers it or its abortSignal aborts. */
    function stalledSsm() {
      const calls: Array<{ signal: AbortSignal; answer: (output: unknown) => void }> = [];
      const client = {
        send: (_command: unknown, options: { abortSignal: AbortSignal }) =>
          new Promise((resolve, reject) => {
            calls.push({ signal: options.abortSignal, answer: resolve });
            options.abortSignal.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })));
          }),
      } as unknown as SSMClient;
      return { client, calls };
    }

    it('a caller with a shorter deadline stops waiting at its own; the shared refresh goes on for the other', async () => {
      const { client, calls } = stalledSsm();
      const secrets = new SsmSecrets(client, '/vox', 300_000, new MemoryLog());
      const short = new AbortController();
      const long = new AbortController();
      const first = secrets.get(short.signal);
      const second = secrets.get(long.signal);
      expect(calls).toHaveLength(1); // one shared refresh
      short.abort(new Error('deadline'));
      await expect(first).rejects.toThrow(SecretsUnavailableError);
      expect(calls[0].signal.aborted).toBe(false); // still wanted by the second caller
      calls[0].answer(parameters(CURRENT));
      await expect(second).resolves.toMatchObject({ accountId: VOX.accountId });
    });

    it('aborts the SSM call once no caller waits, and the next caller starts a new refresh', async () => {
      const { client, calls } = stalledSsm();
      const secrets = new SsmSecrets(client, '/vox', 300_000, new MemoryLog());
      const only = new AbortController();
      const waiting = secrets.get(only.signal);
      only.abort(new Error('deadline'));
      await expect(waiting).rejects.toThrow(/deadline/);
      expect(calls[0].signal.aborted).toBe(true);
      const next = secrets.get(new AbortController().signal);
      expect(calls).toHaveLength(2);
      calls[1].answer(parameters(CURRENT));
      await expect(next).resolves.toMatchObject({ accountId: VOX.accountId });
    });

    it("serves the cached secrets past their TTL when the refresh does not finish by the caller's deadline", async () => {
      const { client, calls } = stalledSsm();
      let now = 0;
      const log = new MemoryLog();
      const secrets = new SsmSecrets(client, '/vox', 300_000, log, () => now);
      const warm = secrets.get(new AbortController().signal);
      calls[0].answer(parameters(CURRENT));
      await warm;
      now += 600_000;
      const deadline = new AbortController();
      const stale = secrets.get(deadline.signal);
      deadline.abort(new Error('deadline'));
      await expect(stale).resolves.toMatchObject({ accountId: VOX.accountId });
      expect(log.text()).toContain('SSM did not answer in time; using the cached secrets');
    });
  });

  it('keeps serving cached secrets when a refresh fails', async () => {
    let now = 0;
    const secrets = source(() => now);
    ssm.on(GetParametersCommand).resolvesOnce(parameters(CURRENT)).rejects(new Error('throttled'));
    await secrets.get();
    now += 600_000;
    await expect(secrets.get()).resolves.toMatchObject({ accountId: VOX.accountId });
  });
});

describe('DynamoDedupe', () => {
  const key = { accountId: 1234567, callbackId: 42 };
  const now = 1_700_000_000_000;
  function store(log = new MemoryLog()) {
    return new DynamoDedupe(new DynamoDBClient({}), 'dedupe', 86_400, log, () => now);
  }

  it('claims with a conditional put carrying a short lease in the TTL attribute', async () => {
    dynamodb.on(PutItemCommand).resolves({});
    expect(await store().claim(key)).toBe('new');
    const input = dynamodb.commandCalls(PutItemCommand)[0].args[0].input;
    expect(input.Item).toEqual({
      pk: { S: '1234567#42' },
      status: { S: 'pending' },
      expiresAt: { N: String(now / 1000 + CLAIM_LEASE_SECONDS) },
      claim: { S: expect.stringMatching(/^[0-9a-f-]{36}$/) },
    });
    expect(input.ConditionExpression).toBe('attribute_not_exists(#pk) OR #expiresAt < :now');
    expect(input.ExpressionAttributeValues).toEqual({ ':now': { N: String(now / 1000) } });
    expect(input.ReturnValuesOnConditionCheckFailure).toBe('ALL_OLD');
  });

  it('gives every claim its own token', async () => {
    dynamodb.on(PutItemCommand).resolves({});
    await store().claim(key);
    await store().claim(key);
    const tokens = dynamodb.commandCalls(PutItemCommand).map((call) => call.args[0].input.Item?.claim?.S);
    expect(new Set(tokens).size).toBe(2);
  });

  /** What DynamoDB answers when the condition fails: the stored item, with its status and claim token. */
  const conditionFailed = (status: 'pending' | 'done', token?: string) =>
    new ConditionalCheckFailedException({
      message: 'The conditional request failed',
      $metadata: {},
      Item: { pk: { S: '1234567#42' }, status: { S: status }, ...(token === undefined ? {} : { claim: { S: token } }) },
    });

  it('reports a failed condition against a completed record as a duplicate', async () => {
    dynamodb
      .on(PutItemCommand)
      .rejectsOnce(conditionFailed('done', 'someone-else'))
      .rejectsOnce(conditionFailed('done'))
      // No item in the error (ALL_OLD ignored): the old answer, a duplicate.
      .rejects(new ConditionalCheckFailedException({ message: 'exists', $metadata: {} }));
    expect(await store().claim(key)).toBe('duplicate');
    expect(await store().claim(key)).toBe('duplicate');
    expect(await store().claim(key)).toBe('duplicate');
  });

  it("reports another attempt's pending claim as busy: it may never alert, so it is not a duplicate", async () => {
    dynamodb.on(PutItemCommand).rejects(conditionFailed('pending', 'someone-else'));
    expect(await store().claim(key)).toBe('busy');
  });

  it('reports a failed condition against its own token as new: an SDK retry of a claim that landed late', async () => {
    // The first attempt timed out on the client but was applied; the SDK's retry then meets our own write.
    dynamodb.on(PutItemCommand).callsFake((input: { Item: { claim: { S: string } } }) => {
      throw conditionFailed('pending', input.Item.claim.S);
    });
    expect(await store().claim(key)).toBe('new');
  });

  it('reports any other error as unavailable, and logs it', async () => {
    const log = new MemoryLog();
    dynamodb.on(PutItemCommand).rejects(new Error('ResourceNotFoundException'));
    expect(await store(log).claim(key)).toBe('unavailable');
    expect(log.lines[0]).toMatchObject({ level: 'warn', message: expect.stringContaining('unavailable') });
  });

  it('completes by extending the TTL to the replay window, and releases by deleting', async () => {
    dynamodb.on(UpdateItemCommand).resolves({});
    dynamodb.on(DeleteItemCommand).resolves({});
    await store().complete(key);
    await store().release(key, 'new');
    expect(dynamodb.commandCalls(UpdateItemCommand)[0].args[0].input.ExpressionAttributeValues).toEqual({
      ':done': { S: 'done' },
      ':expiresAt': { N: String(now / 1000 + 86_400) },
    });
    expect(dynamodb.commandCalls(DeleteItemCommand)[0].args[0].input.Key).toEqual({ pk: { S: '1234567#42' } });
  });

  it('never throws from complete or release', async () => {
    dynamodb.on(UpdateItemCommand).rejects(new Error('down'));
    dynamodb.on(DeleteItemCommand).rejects(new Error('down'));
    await expect(store().complete(key)).resolves.toBeUndefined();
    await expect(store().release(key, 'new')).resolves.toBeUndefined();
    await expect(store().release(key, 'final')).resolves.toBeUndefined();
    await expect(store().recordAmbiguous(key)).resolves.toBeUndefined();
  });

  describe('an unknown publish outcome: one more publish, and only one', () => {
    const nowSeconds = now / 1000;
    /** The stored record as DynamoDB returns it with a failed condition. */
    const stored = (fields: Record<string, string | number>) =>
      new ConditionalCheckFailedException({
        message: 'The conditional request failed',
        $metadata: {},
        Item: Object.fromEntries([
          ['pk', { S: '1234567#42' }],
          ...Object.entries(fields).map(([name, value]) => [name, typeof value === 'number' ? { N: String(value) } : { S: value }]),
        ]),
      });
    const updates = () => dynamodb.commandCalls(UpdateItemCommand).map((call) => call.args[0].input);

    it('records it on a pending claim for the replay window, conditioned on the claim still pending', async () => {
      dynamodb.on(UpdateItemCommand).resolves({});
      await store().recordAmbiguous(key);
      expect(updates()).toEqual([
        expect.objectContaining({
          UpdateExpression: 'SET #status = :ambiguous, #publishes = :one, #expiresAt = :expiresAt',
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status', '#publishes': 'publishes', '#expiresAt': 'expiresAt' },
          ExpressionAttributeValues: {
            ':ambiguous': { S: 'ambiguous' },
            ':one': { N: '1' },
            ':expiresAt': { N: String(nowSeconds + 86_400) },
            ':pending': { S: 'pending' },
          },
        }),
      ]);
    });

    it('gives the next claim the final publish with an update only one attempt can win', async () => {
      dynamodb.on(PutItemCommand).rejects(stored({ status: 'ambiguous', publishes: 1, claim: 'first' }));
      dynamodb
        .on(UpdateItemCommand)
        .resolvesOnce({})
        .rejects(stored({ status: 'final', publishes: 2, claim: 'winner', leaseUntil: nowSeconds + 30 }));
      expect(await store().claim(key)).toBe('final');
      // A concurrent attempt read the same ambiguous record, but its update meets the winner's: busy.
      expect(await store().claim(key)).toBe('busy');
      const [take] = updates();
      expect(take).toMatchObject({
        UpdateExpression: 'SET #status = :final, #claim = :token, #leaseUntil = :leaseUntil, #publishes = :two',
        ConditionExpression: '#status = :ambiguous AND #publishes = :one',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      });
      expect(take.ExpressionAttributeValues).toMatchObject({
        ':leaseUntil': { N: String(nowSeconds + CLAIM_LEASE_SECONDS) },
        ':two': { N: '2' },
      });
    });

    it('recognises its own final claim when the SDK retried an update that landed late', async () => {
      dynamodb.on(PutItemCommand).rejects(stored({ status: 'ambiguous', publishes: 1, claim: 'first' }));
      dynamodb.on(UpdateItemCommand).callsFake((input: { ExpressionAttributeValues: Record<string, { S?: string }> }) => {
        throw stored({ status: 'final', publishes: 2, claim: input.ExpressionAttributeValues[':token'].S!, leaseUntil: nowSeconds + 60 });
      });
      expect(await store().claim(key)).toBe('final');
    });

    it('treats a final claim as busy while leased and as done after its lease: never a third publish', async () => {
      dynamodb
        .on(PutItemCommand)
        .rejectsOnce(stored({ status: 'final', publishes: 2, claim: 'other', leaseUntil: nowSeconds + 1 }))
        .rejects(stored({ status: 'final', publishes: 2, claim: 'other', leaseUntil: nowSeconds - 1 }));
      expect(await store().claim(key)).toBe('busy');
      expect(await store().claim(key)).toBe('duplicate');
      expect(updates()).toEqual([]);
    });

    it('reports an unavailable table during the takeover as unavailable', async () => {
      dynamodb.on(PutItemCommand).rejects(stored({ status: 'ambiguous', publishes: 1, claim: 'first' }));
      dynamodb.on(UpdateItemCommand).rejects(new Error('down'));
      expect(await store().claim(key)).toBe('unavailable');
    });

    it('releases a refused final publish back to ambiguous (the extra publish unspent), never deleting the record', async () => {
      dynamodb.on(UpdateItemCommand).resolves({});
      await store().release(key, 'final');
      expect(dynamodb.commandCalls(DeleteItemCommand)).toHaveLength(0);
      expect(updates()).toEqual([
        expect.objectContaining({
          UpdateExpression: 'SET #status = :ambiguous, #publishes = :one REMOVE #leaseUntil',
          ConditionExpression: '#status = :final',
        }),
      ]);
    });
  });
});

describe('SnsPublisher', () => {
  const alert = (callbackId: number): Alert => ({
    accountId: 1234567,
    callbackId,
    type: 'min_balance',
    severity: 'critical',
    subject: 'Voximplant: balance low',
    email: 'Your balance is low.',
    sms: 'Balance low',
  });

  const publisher = () => new SnsPublisher(new SNSClient({}), 'arn:topic', new MemoryLog());
  /** SNS's own checks (lambda/sns-limits.ts) answer every PublishBatch the stubbed client sends. */
  function topic() {
    const fake = new FakeSnsTopic();
    sns.on(PublishBatchCommand).callsFake((input) => fake.publishBatch(input));
    return fake;
  }

  it('sends one entry per alert: email, SMS and the alert as JSON, with filterable attributes', async () => {
    const fake = topic();
    await publisher().publish([alert(1)]);
    const [[entry]] = fake.calls;
    expect(entry).toMatchObject({
      Id: '0',
      Subject: 'Voximplant: balance low',
      MessageStructure: 'json',
      MessageAttributes: {
        callback_type: { DataType: 'String', StringValue: 'min_balance' },
        severity: { DataType: 'String', StringValue: 'critical' },
      },
    });
    const message = JSON.parse(entry.Message!);
    expect(message).toEqual({ default: JSON.stringify(alert(1)), email: 'Your balance is low.', sms: 'Balance low' });
  });

  it('publishes in calls of at most 10, in order', async () => {
    const fake = topic();
    const alerts = Array.from({ length: 23 }, (_, i) => alert(i));
    const result = await publisher().publish(alerts);
    expect(fake.calls.map((call) => call.length)).toEqual([10, 10, 3]);
    expect(fake.refused).toEqual([]);
    expect(result.published.map((a) => a.callbackId)).toEqual(alerts.map((a) => a.callbackId));
  });

  it('packs by bytes: ten alerts of 60 KB each go out in calls SNS accepts, the first one in the first call', async () => {
    const fake = topic();
    const big = (callbackId: number): Alert => ({ ...alert(callbackId), email: 'Ж'.repeat(15_000) }); // 30 KB, twice in the entry
    const alerts = Array.from({ length: 10 }, (_, i) => big(i));
    const result = await publisher().publish(alerts);
    expect(fake.refused).toEqual([]);
    expect(fake.calls.length).toBeGreaterThan(1);
    expect(JSON.parse(JSON.parse(fake.calls[0][0].Message!).default).callbackId).toBe(0);
    expect(result).toEqual({ published: alerts, failed: [], ambiguous: [] });
  });

  it('reports the entries SNS refused, and a whole batch when the call fails', async () => {
    sns
      .on(PublishBatchCommand)
      .resolvesOnce({ Failed: [{ Id: '1', Code: 'InternalError', SenderFault: false }] })
      .rejects(new Error('down'));
    const publisher = new SnsPublisher(new SNSClient({}), 'arn:topic', new MemoryLog());
    const partial = await publisher.publish([alert(1), alert(2), alert(3)]);
    expect(partial.failed.map((a) => a.callbackId)).toEqual([2]);
    expect(partial.published.map((a) => a.callbackId)).toEqual([1, 3]);
    const down = await publisher.publish([alert(4)]);
    expect(down).toEqual({ published: [], failed: [alert(4)], ambiguous: [] });
  });

  it('reports a batch whose call timed out or was cut off after sending as ambiguous, not failed', async () => {
    const timedOut = Object.assign(new Error('a request has exceeded the configured 1500 ms requestTimeout.'), {
      name: 'TimeoutError',
      code: 'ETIMEDOUT',
    });
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4566'), { code: 'ECONNREFUSED' });
    sns.on(PublishBatchCommand).rejectsOnce(timedOut).rejectsOnce(refused);
    const log = new MemoryLog();
    const publisher = new SnsPublisher(new SNSClient({}), 'arn:topic', log);
    expect(await publisher.publish([alert(5)])).toEqual({ published: [], failed: [], ambiguous: [alert(5)] });
    expect(await publisher.publish([alert(6)])).toEqual({ published: [], failed: [alert(6)], ambiguous: [] });
    expect(log.lines.map((l) => l.message)).toEqual(['SNS PublishBatch outcome unknown', 'SNS PublishBatch failed']);
  });
});

describe('SqsRetryQueue', () => {
  const queue = (log = new MemoryLog()) => new SqsRetryQueue(() => new SQSClient({}), 'https://sqs/retry', log);

  it('parks the raw body with its receive time as message attributes', async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
    await queue().park({ body: '{"callbacks":[1]}', receivedAt: 1234, verified: true });
    expect(sqs.commandCalls(SendMessageCommand)[0].args[0].input).toEqual({
      QueueUrl: 'https://sqs/retry',
      MessageBody: '{"callbacks":[1]}',
      MessageAttributes: {
        receivedAt: { DataType: 'String', StringValue: '1234' },
        bodyEncoding: { DataType: 'String', StringValue: 'utf8' },
        verified: { DataType: 'String', StringValue: 'true' },
      },
    });
  });

  it('lets a parking failure through, so the webhook can answer 503', async () => {
    sqs.on(SendMessageCommand).rejects(new Error('down'));
    await expect(queue().park({ body: '{}', receivedAt: 1, verified: false })).rejects.toThrow('down');
  });

  it('backs off by changing visibility timeouts in batches of at most 10 (the SQS limit), and never throws', async () => {
    sqs.on(ChangeMessageVisibilityBatchCommand).resolvesOnce({ Successful: [], Failed: [] }).rejects(new Error('down'));
    const log = new MemoryLog();
    const delays = Array.from({ length: 12 }, (_, i) => ({ receiptHandle: `rh${i}`, seconds: 30 * (i + 1) }));
    await expect(queue(log).backoff(delays)).resolves.toBeUndefined();
    const calls = sqs.commandCalls(ChangeMessageVisibilityBatchCommand).map((call) => call.args[0].input);
    expect(calls.map((input) => input.Entries?.length)).toEqual([10, 2]);
    expect(calls[1]).toEqual({
      QueueUrl: 'https://sqs/retry',
      Entries: [
        { Id: '0', ReceiptHandle: 'rh10', VisibilityTimeout: 330 },
        { Id: '1', ReceiptHandle: 'rh11', VisibilityTimeout: 360 },
      ],
    });
    expect(log.lines).toHaveLength(1); // the second call failed
  });

  it('logs the entries SQS could not delay', async () => {
    sqs.on(ChangeMessageVisibilityBatchCommand).resolves({
      Successful: [{ Id: '0' }],
      Failed: [{ Id: '1', Code: 'ReceiptHandleIsInvalid', SenderFault: true, Message: 'invalid' }],
    });
    const log = new MemoryLog();
    await queue(log).backoff([
      { receiptHandle: 'a', seconds: 30 },
      { receiptHandle: 'b', seconds: 30 },
    ]);
    expect(log.lines).toEqual([expect.objectContaining({ message: 'Could not delay the retry' })]);
    expect(log.text()).toContain('ReceiptHandleIsInvalid');
  });
});

describe('abort signals', () => {
  /** The `abortSignal` each SDK call was sent with (the options of `client.send(command, options)`). */
  const signalsOf = (client: typeof sqs | typeof ssm | typeof dynamodb | typeof sns) =>
    client.calls().map((call) => ((call.args as unknown[])[1] as { abortSignal?: AbortSignal } | undefined)?.abortSignal);

  it("every adapter passes the caller's signal to every SDK call, so the whole response is bounded", async () => {
    const { signal } = new AbortController();
    ssm.on(GetParametersCommand).resolves(parameters(CURRENT));
    await new SsmSecrets(new SSMClient({}), '/vox', 300_000, new MemoryLog()).get(signal);
    expect(signalsOf(ssm)).toHaveLength(1);
    expect(signalsOf(ssm)[0]).toBeInstanceOf(AbortSignal); // the shared refresh's own, aborted when no caller waits (below)

    const store = new DynamoDedupe(new DynamoDBClient({}), 'dedupe', 86_400, new MemoryLog());
    const key = { accountId: 1, callbackId: 2 };
    await store.claim(key, signal);
    await store.complete(key, signal);
    await store.release(key, 'new', signal);
    await store.release(key, 'final', signal);
    await store.recordAmbiguous(key, signal);
    expect(signalsOf(dynamodb)).toEqual([signal, signal, signal, signal, signal]);

    sns.on(PublishBatchCommand).resolves({ Successful: [], Failed: [] });
    const alert: Alert = { accountId: 1, callbackId: 2, type: 'min_balance', severity: 'critical', subject: 's', email: 'e', sms: 's' };
    await new SnsPublisher(new SNSClient({}), 'arn:topic', new MemoryLog()).publish([alert], signal);
    expect(signalsOf(sns)).toEqual([signal]);

    sqs
      .on(SendMessageCommand)
      .resolves({ MessageId: 'm' })
      .on(ChangeMessageVisibilityBatchCommand)
      .resolves({ Successful: [], Failed: [] });
    const queue = new SqsRetryQueue(() => new SQSClient({}), 'https://sqs/retry', new MemoryLog());
    await queue.park({ body: '{}', receivedAt: 1, verified: true }, signal);
    await queue.backoff([{ receiptHandle: 'a', seconds: 30 }], signal);
    expect(signalsOf(sqs)).toEqual([signal, signal]);
  });
});
