/**
 * Duplicate and replay suppression in DynamoDB: one record per (account_id, callback_id).
 * A claim is a conditional write with a short lease in the TTL attribute, so a claim left behind by a
 * crashed invocation lapses by itself and a redelivery can alert; completing it extends the TTL to the
 * replay window.
 *
 * Each claim carries a random token and asks for the stored item when the condition fails. A PutItem
 * that times out on the client may still have been applied; the SDK then retries it, the retry fails the
 * condition against our own write, and without the token a new callback would read as a duplicate and
 * never alert. The token tells "our claim, landed late" from "someone else's claim", and the stored
 * status tells a completed claim (a duplicate) from one still pending (busy: retry after the lease).
 */
import { randomUUID } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { DEDUPE_TABLE } from '../names';
import type { CallbackKey, Claim, DedupeStore, Log } from '../ports';
import { describe } from '../errors';

/** Longer than the function's timeout: a live claim is never taken over by a concurrent duplicate. */
export const CLAIM_LEASE_SECONDS = 60;

const names = { '#pk': DEDUPE_TABLE.partitionKey, '#expiresAt': DEDUPE_TABLE.ttlAttribute, '#status': 'status' };

export class DynamoDedupe implements DedupeStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly ttlSeconds: number,
    private readonly log: Log,
    private readonly now: () => number = Date.now,
  ) {}

  private key({ accountId, callbackId }: CallbackKey) {
    return { [DEDUPE_TABLE.partitionKey]: { S: `${accountId}#${callbackId}` } };
  }

  private epochSeconds(): number {
    return Math.floor(this.now() / 1000);
  }

  async claim(key: CallbackKey): Promise<Claim> {
    const now = this.epochSeconds();
    const token = randomUUID();
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            ...this.key(key),
            status: { S: 'pending' },
            [DEDUPE_TABLE.ttlAttribute]: { N: String(now + CLAIM_LEASE_SECONDS) },
            [DEDUPE_TABLE.claimAttribute]: { S: token },
          },
          // TTL deletion lags by up to days: an expired record counts as absent.
          ConditionExpression: 'attribute_not_exists(#pk) OR #expiresAt < :now',
          ExpressionAttributeNames: { '#pk': names['#pk'], '#expiresAt': names['#expiresAt'] },
          ExpressionAttributeValues: { ':now': { N: String(now) } },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return 'new';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return this.claimHeld(error.Item, token);
      this.log.warn('Dedupe table unavailable: publishing without duplicate suppression', {
        callbackId: key.callbackId,
        error: describe(error),
      });
      return 'unavailable';
    }
  }

  /** Whose is the record that failed the condition? `stored` is absent only if DynamoDB ignored ALL_OLD. */
  private claimHeld(stored: Record<string, AttributeValue> | undefined, token: string): Claim {
    if (stored?.[DEDUPE_TABLE.claimAttribute]?.S === token) return 'new';
    return stored?.status?.S === 'pending' ? 'busy' : 'duplicate';
  }

  async complete(key: CallbackKey): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: this.key(key),
          UpdateExpression: 'SET #status = :done, #expiresAt = :expiresAt',
          ExpressionAttributeNames: { '#status': names['#status'], '#expiresAt': names['#expiresAt'] },
          ExpressionAttributeValues: {
            ':done': { S: 'done' },
            ':expiresAt': { N: String(this.epochSeconds() + this.ttlSeconds) },
          },
        }),
      );
    } catch (error) {
      // The alert went out; the claim lapses after its lease, after which a replay could alert again.
      this.log.warn('Could not mark callback as alerted', { callbackId: key.callbackId, error: describe(error) });
    }
  }

  async release(key: CallbackKey): Promise<void> {
    try {
      await this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key: this.key(key) }));
    } catch (error) {
      // The claim lapses after its lease; until then a retry is taken for a duplicate.
      this.log.warn('Could not release claim after a failed publish', {
        callbackId: key.callbackId,
        leaseSeconds: CLAIM_LEASE_SECONDS,
        error: describe(error),
      });
    }
  }
}
