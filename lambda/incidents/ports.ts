/**
 * The incidents' edge: one small versioned store (lambda/aws/dynamo-incidents.ts implements it on its own
 * DynamoDB table). Every change is computed by the pure functions of lifecycle.ts and written with a
 * conditional put on the version it was computed from, so of two writers that read the same version exactly
 * one wins; the loser reads again (update.ts).
 */
import type { Incident, IncidentKey } from './model';

/** The store could not answer (throttled, unavailable, aborted by the deadline). */
export class IncidentStoreError extends Error {
  override readonly name = 'IncidentStoreError';
}

export interface IncidentStore {
  /** The incident recorded for `key` (consistent read), or undefined. Throws IncidentStoreError. */
  get(key: IncidentKey, signal: AbortSignal): Promise<Incident | undefined>;
  /**
   * Writes `next` (with version `expectedVersion + 1`) if the stored version is still `expectedVersion`
   * (0: nothing stored). Returns false when another writer came first. Sets the record's TTL from its status.
   * Throws IncidentStoreError.
   */
  put(next: Incident, expectedVersion: number, signal: AbortSignal): Promise<boolean>;
  /**
   * The incidents the notifier may have work for: open ones, and any with a pending notice. A bounded scan
   * (the table holds one record per account and kind). Throws IncidentStoreError.
   */
  active(signal: AbortSignal): Promise<readonly Incident[]>;
}

/** The acknowledge key could not be read (SSM unavailable, throttled, aborted by the deadline). */
export class AckKeyUnavailableError extends Error {
  override readonly name = 'AckKeyUnavailableError';
}

/**
 * The key that signs acknowledge links (SSM SecureString `<prefix>/ack-key`; lambda/aws/ssm-ack-key.ts reads it).
 * Undefined when the stack has none: links are not set up (`npm run configure` creates one).
 */
export interface AckKeySource {
  /** Throws AckKeyUnavailableError when it cannot be had by the time `signal` aborts (and nothing is cached). */
  get(signal: AbortSignal): Promise<string | undefined>;
}
