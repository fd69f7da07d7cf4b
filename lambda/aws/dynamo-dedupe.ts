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
 *
 * A publish with an unknown outcome (ports.ts, `Claim`) turns the record 'ambiguous' for the replay window
 * with `publishes` = 1; the next claim takes the one extra publish with an update conditioned on exactly
 * that state (status 'ambiguous' and `publishes` = 1), so of two concurrent attempts only one wins it. The
 * winner's record is 'final' with `publishes` = 2 and its own lease in `leaseUntil`: while leased, others
 * are busy; after that, and once completed, the callback is done. The TTL stays at the replay window
 * throughout, so the allowance is never forgotten early and a fresh claim cannot overwrite it.
 */
import { randomUUID } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type UpdateItemCommandInput,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { DEDUPE_TABLE } from '../contract';
import type { CallbackKey, Claim, DedupeStore, HeldClaim, Log } from '../ports';
import { errorMessage } from '../errors';

/** Longer than the function's timeout: a live claim is never taken over by a concurrent duplicate. */
export const CLAIM_LEASE_SECONDS = 60;

/** The record's `status`; see the module comment and `Claim` in ports.ts. */
type Status = 'pending' | 'done' | 'ambiguous' | 'final';

const ATTRIBUTES: Record<string, string> = {
  '#pk': DEDUPE_TABLE.partitionKey,
  '#expiresAt': DEDUPE_TABLE.ttlAttribute,
  '#status': 'status',
  '#claim': DEDUPE_TABLE.claimAttribute,
  '#leaseUntil': DEDUPE_TABLE.leaseAttribute,
  '#publishes': DEDUPE_TABLE.publishesAttribute,
};

/** The attribute names an expression uses: DynamoDB refuses names that are given but unused. */
function namesIn(...expressions: Array<string | undefined>): Record<string, string> {
  const used = new Set(expressions.join(' ').match(/#\w+/g));
  return Object.fromEntries([...used].map((name) => [name, ATTRIBUTES[name]]));
}

const S = (value: Status | string) => ({ S: value });
const N = (value: number) => ({ N: String(value) });

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

  private unavailable(key: CallbackKey, error: unknown): Claim {
    this.log.warn('Dedupe table unavailable: publishing without duplicate suppression', {
      callbackId: key.callbackId,
      error: errorMessage(error),
    });
    return 'unavailable';
  }

  /** A conditional UpdateItem on the callback's record; the stored item comes back when the condition fails. */
  private update(
    key: CallbackKey,
    expressions: { update: string; condition?: string; values: NonNullable<UpdateItemCommandInput['ExpressionAttributeValues']> },
    signal: AbortSignal | undefined,
  ) {
    return this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: this.key(key),
        UpdateExpression: expressions.update,
        ...(expressions.condition ? { ConditionExpression: expressions.condition, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } : {}),
        ExpressionAttributeNames: namesIn(expressions.update, expressions.condition),
        ExpressionAttributeValues: expressions.values,
      }),
      { abortSignal: signal },
    );
  }

  /** `signal` (here and below) bounds the calls; optional only for callers outside the Lambda (tools, tests). */
  async claim(key: CallbackKey, signal?: AbortSignal): Promise<Claim> {
    const now = this.epochSeconds();
    const token = randomUUID();
    const condition = 'attribute_not_exists(#pk) OR #expiresAt < :now';
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            ...this.key(key),
            status: S('pending'),
            [DEDUPE_TABLE.ttlAttribute]: N(now + CLAIM_LEASE_SECONDS),
            [DEDUPE_TABLE.claimAttribute]: S(token),
          },
          // TTL deletion lags by up to days: an expired record counts as absent.
          ConditionExpression: condition,
          ExpressionAttributeNames: namesIn(condition),
          ExpressionAttributeValues: { ':now': N(now) },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
        { abortSignal: signal },
      );
      return 'new';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return this.claimHeld(key, error.Item, token, now, signal);
      return this.unavailable(key, error);
    }
  }

  /**
   * Whose is the record that failed the condition, and what does it allow? `stored` is absent only if
   * DynamoDB ignored ALL_OLD. `mayTakeFinal` is false once a takeover has been tried (no loop).
   */
  private async claimHeld(
    key: CallbackKey,
    stored: Record<string, AttributeValue> | undefined,
    token: string,
    now: number,
    signal: AbortSignal | undefined,
    mayTakeFinal = true,
  ): Promise<Claim> {
    const status = stored?.status?.S as Status | undefined;
    if (stored?.[DEDUPE_TABLE.claimAttribute]?.S === token) return status === 'final' ? 'final' : 'new';
    switch (status) {
      case 'pending':
        return 'busy';
      case 'ambiguous':
        return mayTakeFinal ? this.takeFinal(key, token, now, signal) : 'busy';
      case 'final':
        // Its holder neither completed nor released it in time: its outcome is unknown too, so it is done.
        return Number(stored?.[DEDUPE_TABLE.leaseAttribute]?.N) >= now ? 'busy' : 'duplicate';
      default:
        return 'duplicate';
    }
  }

  /** ambiguous → final: the one extra publish, won by exactly one attempt (the condition names the state it leaves). */
  private async takeFinal(key: CallbackKey, token: string, now: number, signal: AbortSignal | undefined): Promise<Claim> {
    try {
      await this.update(
        key,
        {
          update: 'SET #status = :final, #claim = :token, #leaseUntil = :leaseUntil, #publishes = :two',
          condition: '#status = :ambiguous AND #publishes = :one',
          values: {
            ':final': S('final'),
            ':token': S(token),
            ':leaseUntil': N(now + CLAIM_LEASE_SECONDS),
            ':two': N(2),
            ':ambiguous': S('ambiguous'),
            ':one': N(1),
          },
        },
        signal,
      );
      return 'final';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return this.claimHeld(key, error.Item, token, now, signal, false);
      return this.unavailable(key, error);
    }
  }

  async complete(key: CallbackKey, signal?: AbortSignal): Promise<void> {
    try {
      await this.update(
        key,
        {
          update: 'SET #status = :done, #expiresAt = :expiresAt',
          values: { ':done': S('done'), ':expiresAt': N(this.epochSeconds() + this.ttlSeconds) },
        },
        signal,
      );
    } catch (error) {
      // The alert went out; the claim lapses after its lease, after which a replay could alert again.
      this.log.warn('Could not mark callback as alerted', { callbackId: key.callbackId, error: errorMessage(error) });
    }
  }

  async release(key: CallbackKey, claim: HeldClaim, signal?: AbortSignal): Promise<void> {
    try {
      if (claim === 'new') {
        await this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key: this.key(key) }), { abortSignal: signal });
        return;
      }
      // The earlier publish may still have gone out: back to ambiguous, the one extra publish unspent.
      await this.update(
        key,
        {
          update: 'SET #status = :ambiguous, #publishes = :one REMOVE #leaseUntil',
          condition: '#status = :final',
          values: { ':ambiguous': S('ambiguous'), ':one': N(1), ':final': S('final') },
        },
        signal,
      );
    } catch (error) {
      // The claim lapses after its lease; until then a retry is taken for a duplicate.
      this.log.warn('Could not release claim after a failed publish', {
        callbackId: key.callbackId,
        leaseSeconds: CLAIM_LEASE_SECONDS,
        error: errorMessage(error),
      });
    }
  }

  async recordAmbiguous(key: CallbackKey, signal?: AbortSignal): Promise<void> {
    try {
      await this.update(
        key,
        {
          update: 'SET #status = :ambiguous, #publishes = :one, #expiresAt = :expiresAt',
          condition: '#status = :pending',
          values: {
            ':ambiguous': S('ambiguous'),
            ':one': N(1),
            ':expiresAt': N(this.epochSeconds() + this.ttlSeconds),
            ':pending': S('pending'),
          },
        },
        signal,
      );
    } catch (error) {
      // The pending claim lapses after its lease; the callback is then claimed 'new' again and may alert twice more.
      this.log.warn('Could not record an unknown publish outcome on the claim', {
        callbackId: key.callbackId,
        leaseSeconds: CLAIM_LEASE_SECONDS,
        error: errorMessage(error),
      });
    }
  }
}
