/**
 * The watchdog's two small items per account in the dedupe table (keys: DEDUPE_TABLE.watchStatePrefix and
 * seenPrefix + account id; callback records are `<digits>#<digits>`, so the prefixes never collide, and neither
 * item has the TTL attribute, so neither expires):
 * - `watch#<account>`: the state the last pass recorded (JSON in `state`) and its `version`, written only by a
 *   conditional PutItem naming the version it read, so of two overlapping passes exactly one records a change;
 * - `seen#<account>`: when the receiver last verified a callback (`lastVerifiedAt`) and a min_balance
 *   (`lastMinBalanceAt`), epoch ms, written by the receiver with one unconditional UpdateItem: for every
 *   min_balance, otherwise at most once per SIGHTING_INTERVAL_MS per container.
 */
import { GetItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { putIfVersion } from './versioned-put';
import { errorMessage } from '../errors';
import { DEDUPE_TABLE } from '../contract';
import type { Log } from '../ports';
import { CONDITIONS, EMPTY_STATE, type Condition, type OpenCondition, type WatchState } from '../watchdog/findings';
import type { CallbackSightingLog, CallbackSightings, StoredWatchState, WatchStateStore } from '../watchdog/ports';

const ATTR = { state: 'state', version: 'version', lastVerifiedAt: 'lastVerifiedAt', lastMinBalanceAt: 'lastMinBalanceAt' } as const;

/**
 * How stale `lastVerifiedAt` may be: the watchdog reads it every few minutes (the callback-age metric, in
 * seconds, alarms after hours), so a container writes it at most this often instead of on every request.
 * A min_balance is always written: the watchdog compares its time with the pass that last saw the balance OK.
 */
export const SIGHTING_INTERVAL_MS = 60_000;

const finite = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

/** The stored JSON read back defensively: anything unreadable counts as nothing open (the next write replaces it). */
export function parseWatchState(text: string | undefined): WatchState {
  if (text === undefined) return EMPTY_STATE;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return EMPTY_STATE;
  }
  const record = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const openRaw = (typeof record.open === 'object' && record.open !== null ? record.open : {}) as Record<string, unknown>;
  const open: Partial<Record<Condition, OpenCondition>> = {};
  for (const condition of CONDITIONS) {
    const since = finite((openRaw[condition] as { since?: unknown } | undefined)?.since);
    if (since !== undefined) open[condition] = { since };
  }
  const balanceRaw = (typeof record.balance === 'object' && record.balance !== null ? record.balance : {}) as Record<string, unknown>;
  const okAt = finite(balanceRaw.okAt);
  const lowSince = finite(balanceRaw.lowSince);
  return {
    open,
    balance: { ...(okAt !== undefined ? { okAt } : {}), ...(lowSince !== undefined ? { lowSince } : {}) },
    ...(finite(record.checkedAt) !== undefined ? { checkedAt: finite(record.checkedAt) } : {}),
  };
}

export class DynamoWatchState implements WatchStateStore, CallbackSightingLog {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly log: Log,
    private readonly now: () => number = Date.now,
  ) {}

  /** When this container last wrote a sighting, per account (one account per deployment: one entry). */
  private readonly notedAt = new Map<number, number>();

  private key(prefix: string, accountId: string | number) {
    return { [DEDUPE_TABLE.partitionKey]: { S: `${prefix}${accountId}` } };
  }

  async read(accountId: string, signal?: AbortSignal): Promise<StoredWatchState> {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: this.key(DEDUPE_TABLE.watchStatePrefix, accountId), ConsistentRead: true }),
      { abortSignal: signal },
    );
    return { state: parseWatchState(Item?.[ATTR.state]?.S), version: Number(Item?.[ATTR.version]?.N ?? 0) || 0 };
  }

  async write(accountId: string, state: WatchState, expectedVersion: number, signal?: AbortSignal): Promise<boolean> {
    const item = { ...this.key(DEDUPE_TABLE.watchStatePrefix, accountId), [ATTR.state]: { S: JSON.stringify(state) } };
    return putIfVersion(this.client, this.tableName, item, ATTR.version, expectedVersion, signal);
  }

  async sightings(accountId: string, signal?: AbortSignal): Promise<CallbackSightings> {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: this.key(DEDUPE_TABLE.seenPrefix, accountId) }),
      { abortSignal: signal },
    );
    const lastVerifiedAt = finite(Number(Item?.[ATTR.lastVerifiedAt]?.N));
    const lastMinBalanceAt = finite(Number(Item?.[ATTR.lastMinBalanceAt]?.N));
    return { ...(lastVerifiedAt !== undefined ? { lastVerifiedAt } : {}), ...(lastMinBalanceAt !== undefined ? { lastMinBalanceAt } : {}) };
  }

  /** The receiver's note (CallbackSightingLog): never throws. */
  async note(accountId: number, minBalance: boolean, signal?: AbortSignal): Promise<void> {
    const at = this.now();
    const last = this.notedAt.get(accountId);
    if (!minBalance && last !== undefined && at - last < SIGHTING_INTERVAL_MS) return;
    const now = { N: String(at) };
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: this.key(DEDUPE_TABLE.seenPrefix, accountId),
          UpdateExpression: minBalance ? 'SET #verified = :now, #minBalance = :now' : 'SET #verified = :now',
          ExpressionAttributeNames: { '#verified': ATTR.lastVerifiedAt, ...(minBalance ? { '#minBalance': ATTR.lastMinBalanceAt } : {}) },
          ExpressionAttributeValues: { ':now': now },
        }),
        { abortSignal: signal },
      );
      this.notedAt.set(accountId, at);
    } catch (error) {
      this.log.warn('Could not note the verified callback for the watchdog', { error: errorMessage(error) });
    }
  }
}
