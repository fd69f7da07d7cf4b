/**
 * The receiver's edges as small interfaces. The core (receiver.ts) depends on these only;
 * lambda/aws/* implements them with the AWS SDK, tests implement them with plain objects.
 */
import type { Alert, Secrets } from './callback';

export interface SecretsSource {
  /** Current secrets; throws SecretsUnavailableError when they cannot be had. */
  get(): Promise<Secrets>;
}

export class SecretsUnavailableError extends Error {
  constructor(
    message: string,
    /** Parameters that do not exist (a configuration problem, not an outage). */
    readonly missing: readonly string[] = [],
  ) {
    super(message);
    this.name = 'SecretsUnavailableError';
  }
}

/** Identifies one callback for duplicate suppression. */
export interface CallbackKey {
  readonly accountId: number;
  readonly callbackId: number;
}

/**
 * - 'new': ours to alert;
 * - 'duplicate': already alerted (completed), suppressed for the replay window;
 * - 'busy': claimed by another attempt that has neither completed nor released it: one still running, or
 *   one that crashed or could not release after a failed publish. Not a duplicate: that attempt may never
 *   alert, so the caller retries later, and after the lease lapses the claim is free again;
 * - 'unavailable': the store could not answer; the caller publishes anyway (a duplicate beats a lost alert).
 */
export type Claim = 'new' | 'duplicate' | 'busy' | 'unavailable';

export interface DedupeStore {
  /** Claims a callback for alerting. A claim that is neither completed nor released lapses after a short lease. */
  claim(key: CallbackKey): Promise<Claim>;
  /** Marks a claimed callback as alerted: duplicates are suppressed for the replay window. */
  complete(key: CallbackKey): Promise<void>;
  /** Gives a claim back after publishing failed, so a retry can alert. */
  release(key: CallbackKey): Promise<void>;
}

export interface PublishResult {
  readonly published: readonly Alert[];
  readonly failed: readonly Alert[];
}

export interface Publisher {
  /** Publishes in the order given; never throws: what could not be published comes back in `failed`. */
  publish(alerts: readonly Alert[]): Promise<PublishResult>;
}

/**
 * A request that could not be fully handled, kept to be processed again. Only what the retry needs is
 * kept (see parkable() in receiver.ts): never the fields the renderer does not read, such as personal data.
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

export interface RetryQueue {
  /** Stores the request for a later attempt; throws when it cannot (the caller then answers 503). */
  park(request: ParkedRequest): Promise<void>;
  /** Delays the next attempt of a parked message (exponential backoff); best effort, never throws. */
  backoff(receiptHandle: string, seconds: number): Promise<void>;
}

/** The slice of a structured logger the core uses (Powertools Logger fits it). */
export interface Log {
  info(message: string, ...extra: Array<Record<string, unknown>>): void;
  warn(message: string, ...extra: Array<Record<string, unknown>>): void;
  error(message: string, ...extra: Array<Record<string, unknown>>): void;
}

/** Counts for CloudWatch metrics (EMF); names come from METRICS.names. */
export interface Counters {
  count(name: string, value: number): void;
}
