/**
 * The receiver's edges as small interfaces. The core (pipeline.ts) depends on these only;
 * lambda/aws/* implements them with the AWS SDK, tests implement them with plain objects.
 *
 * Every call takes an AbortSignal (from the invocation's Deadline, deadline.ts) that bounds the whole
 * call, response body included; an aborted call fails the way the method documents for any failure.
 */
import type { AccountFigures, Alert, Secrets } from './model';

export interface SecretsSource {
  /**
   * Current secrets; throws SecretsUnavailableError (errors.ts) when they cannot be had by the time `signal` aborts
   * (cached secrets past their TTL are returned rather than failing).
   */
  get(signal: AbortSignal): Promise<Secrets>;
}

/** Identifies one callback for duplicate suppression. */
export interface CallbackKey {
  readonly accountId: number;
  readonly callbackId: number;
}

/**
 * What a claim gives the caller for one callback. The record behind it moves through these states:
 * absent → pending (a first publish in flight, short lease) → done (alerted; duplicates suppressed for the
 * replay window). A publish whose outcome is unknown (`PublishResult.ambiguous`) moves pending → ambiguous:
 * the alert may have gone out, so exactly one more publish is allowed, taken by a conditional write
 * (ambiguous → final) that only one attempt can win. Whatever the final publish's outcome, no third one
 * follows, except a refused one, which gives the one extra publish back (final → ambiguous).
 * So a callback alerts at most twice, and a refused publish never uses up that allowance.
 *
 * - 'new': ours to alert (the first publish);
 * - 'final': ours to alert once more, after an earlier publish's outcome was unknown: the last publish
 *   allowed for this callback. If this one's outcome is unknown too, the callback is done;
 * - 'duplicate': already alerted (completed), suppressed for the replay window; also a final publish whose
 *   holder neither completed nor released it within its lease (its outcome is unknown: done);
 * - 'busy': claimed by another attempt that has neither completed nor released it: one still running, or
 *   one that crashed or could not release after a failed publish. Not a duplicate: that attempt may never
 *   alert, so the caller retries later, and after the lease lapses the claim is free again;
 * - 'unavailable': the store could not answer; the caller publishes anyway (a duplicate beats a lost alert).
 */
export type Claim = 'new' | 'final' | 'duplicate' | 'busy' | 'unavailable';

/** The claims that let their holder publish, and that it must settle (complete, release, or record ambiguous). */
export type HeldClaim = Extract<Claim, 'new' | 'final'>;

export interface DedupeStore {
  /** Claims a callback for alerting. A claim that is neither completed nor released lapses after a short lease. */
  claim(key: CallbackKey, signal: AbortSignal): Promise<Claim>;
  /** Marks a claimed callback as alerted (or settled): duplicates are suppressed for the replay window. Never throws. */
  complete(key: CallbackKey, signal: AbortSignal): Promise<void>;
  /**
   * Gives a claim back after its publish was refused (provably not sent), so a retry can alert: a 'new'
   * claim is removed, a 'final' one returns to the ambiguous state (its one extra publish still unspent). Never throws.
   */
  release(key: CallbackKey, claim: HeldClaim, signal: AbortSignal): Promise<void>;
  /**
   * Records that the publish of a 'new' claim has an unknown outcome: the claim becomes ambiguous for the
   * replay window, and the next claim gets the one extra publish ('final'). Never throws; if it cannot be
   * recorded, the pending claim lapses after its lease and the callback is claimed 'new' again.
   */
  recordAmbiguous(key: CallbackKey, signal: AbortSignal): Promise<void>;
}

/** Every alert given to `publish` is in exactly one of the three lists. */
export interface PublishResult {
  readonly published: readonly Alert[];
  /** Refused: an error answer (SNS's own, a throttle, a 5xx) or a failure before anything was sent; publish again. */
  readonly failed: readonly Alert[];
  /** Outcome unknown (timed out or cut off after the request was sent): it may have gone out. */
  readonly ambiguous: readonly Alert[];
}

export interface Publisher {
  /** Publishes in the order given; never throws: what was not published comes back in `failed` or `ambiguous`. */
  publish(alerts: readonly Alert[], signal: AbortSignal): Promise<PublishResult>;
}

/**
 * A request that could not be fully handled, kept to be processed again. Only what the retry needs is
 * kept (see parkable() in pipeline.ts): never the fields the renderer does not read, such as personal data.
 */
export interface ParkedRequest {
  /** `{"callbacks":[...]}` holding only the items still to be handled. */
  readonly body: string;
  /** Epoch milliseconds of the original receipt. */
  readonly receivedAt: number;
  /**
   * True when every item was verified before parking: the hash is then dropped and the retry does not
   * verify again, so a salt or key rotated meanwhile cannot lose the alert. The retry queue is writable
   * only by this function (the stack's queue policy), which is what lets a parked item prove it was
   * verified. False when the secrets could not be read: the items keep their hash and are verified later.
   */
  readonly verified: boolean;
}

/** A parked message to hide for `seconds` (its next attempt comes then). */
export interface RetryDelay {
  readonly receiptHandle: string;
  readonly seconds: number;
}

export interface RetryQueue {
  /** Stores the request for a later attempt; throws when it cannot (the caller then answers 503). */
  park(request: ParkedRequest, signal: AbortSignal): Promise<void>;
  /** Delays the next attempt of parked messages (exponential backoff), any number at once; best effort, never throws. */
  backoff(delays: readonly RetryDelay[], signal: AbortSignal): Promise<void>;
}

/** The slice of a structured logger the core uses (Powertools Logger fits it). */
export interface Log {
  info(message: string, ...extra: Array<Record<string, unknown>>): void;
  warn(message: string, ...extra: Array<Record<string, unknown>>): void;
  error(message: string, ...extra: Array<Record<string, unknown>>): void;
}

/**
 * The account as GetAccountInfo reports it: its figures and the account the answer is about (the API's
 * `account_id`, checked by the client against the one asked for). lambda/voximplant/management-api.ts
 * implements the source (its AccountInfo is a superset).
 */
export interface AccountState extends AccountFigures {
  readonly accountId: string;
}

export interface AccountInfoSource {
  /**
   * One GetAccountInfo request, bounded by `signal` (and the client's own 1.5 s). Throws the client's typed
   * errors (lambda/voximplant/errors.ts: AuthRefusedError, NotFoundError, ThrottledError, UnavailableError with
   * `timedOut`, ManagementApiError) or anything else on a bug; confirm.ts turns every one into an unconfirmed alert.
   */
  getAccountInfo(options: { readonly signal: AbortSignal }): Promise<AccountState>;
}

/** Counts for CloudWatch metrics (EMF); names come from METRICS.names. */
export interface Counters {
  count(name: string, value: number): void;
}
