/**
 * The watchdog's edges as small interfaces; lambda/aws/dynamo-watch-state.ts implements them on the dedupe table.
 */
import type { WatchState } from './findings';

/** The watchdog's state as stored, with the version a conditional write must match. */
export interface StoredWatchState {
  readonly state: WatchState;
  /** 0 when nothing is stored yet; every write adds 1. */
  readonly version: number;
}

/** When the receiver last verified a callback for the account (epoch ms; undefined: never on record). */
export interface CallbackSightings {
  readonly lastVerifiedAt?: number;
  readonly lastMinBalanceAt?: number;
}

export interface WatchStateStore {
  /** The state (consistent read). Throws when the table cannot answer. */
  read(accountId: string, signal: AbortSignal): Promise<StoredWatchState>;
  /**
   * Writes `state` as version `expectedVersion + 1` if the stored version is still `expectedVersion`: of two
   * passes that read the same version, exactly one wins. Returns false when another pass wrote first; throws
   * when the table cannot answer.
   */
  write(accountId: string, state: WatchState, expectedVersion: number, signal: AbortSignal): Promise<boolean>;
  /** When the receiver last verified callbacks (eventually consistent is enough). Throws when the table cannot answer. */
  sightings(accountId: string, signal: AbortSignal): Promise<CallbackSightings>;
}

/**
 * The receiver's side: records that callbacks for the account were just verified (and whether one was a
 * `min_balance`). One small unconditional write; never throws, so it can neither fail nor hold up a decision.
 */
export interface CallbackSightingLog {
  note(accountId: number, minBalance: boolean, signal: AbortSignal): Promise<void>;
}
