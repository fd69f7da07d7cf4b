/**
 * lambda/aws/dynamo-dedupe.ts against a stubbed DynamoDB client (aws-sdk-client-mock): exact requests and the
 * claim states they map to.
 */
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { CLAIM_LEASE_SECONDS, DynamoDedupe } from '../../../../lambda/aws/dynamo-dedupe';
import { MemoryLog } from '../../../support/fakes';
import { signalsOf } from '../../../support/sdk-calls';

const dynamodb = mockClient(DynamoDBClient);
beforeEach(() => dynamodb.reset());

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

  it("passes the caller's signal to every SDK call, so the whole response is bounded", async () => {
    const { signal } = new AbortController();
    const store = new DynamoDedupe(new DynamoDBClient({}), 'dedupe', 86_400, new MemoryLog());
    const key = { accountId: 1, callbackId: 2 };
    await store.claim(key, signal);
    await store.complete(key, signal);
    await store.release(key, 'new', signal);
    await store.release(key, 'final', signal);
    await store.recordAmbiguous(key, signal);
    expect(signalsOf(dynamodb)).toEqual([signal, signal, signal, signal, signal]);
  });
});
