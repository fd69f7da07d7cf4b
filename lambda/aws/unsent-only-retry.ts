/**
 * Retries for a call that must not run twice: SNS `Publish`/`PublishBatch` on a standard topic has no
 * idempotency key, so re-sending a request that reached SNS can alert twice. The SDK's standard strategy
 * retries every transient error, timeouts and connection resets included (`isTransientError` in
 * @smithy/core/retry: `TimeoutError`, `ECONNRESET`, `EPIPE`, `ETIMEDOUT`); after those the request may
 * well have been applied. This strategy keeps the standard one (attempt count, backoff with jitter, retry
 * quota) and refuses a retry whenever the failed attempt may have arrived.
 */
import { StandardRetryStrategy } from '@smithy/core/retry';

/** Node's codes for a failure while the request was being written or its answer awaited. */
const MID_REQUEST_CODES: readonly string[] = ['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED'];
/**
 * @smithy/node-http-handler's `connectionTimeout` error (set-connection-timeout.js, 4.14): no socket was
 * connected, so nothing was sent. Its other `TimeoutError`s (request and socket timeouts) come after it.
 */
const CONNECT_TIMEOUT = /did not establish a connection/;

/**
 * Whether a failed SDK call may have reached the service although no answer came back: its outcome is
 * unknown. True for a success status whose body never completed (cut off, or aborted by a deadline while
 * it stalled: the SDK reports it as a deserialization error carrying the 2xx status). False for an error
 * answer (a throttle, a 5xx, a refusal) and for failures before a
 * connection existed (ECONNREFUSED, DNS, connect timeout) or before sending (serialization). True for a
 * timeout after connecting, a reset or broken connection mid-request, and an abort (a deadline).
 * Never throws; accepts anything thrown.
 */
export function mayHaveArrived(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, code, message, $metadata } = error as {
    name?: unknown;
    code?: unknown;
    message?: unknown;
    $metadata?: { httpStatusCode?: number };
  };
  if ($metadata?.httpStatusCode !== undefined) return $metadata.httpStatusCode >= 200 && $metadata.httpStatusCode < 300;
  if (name === 'TimeoutError') return !CONNECT_TIMEOUT.test(String(message));
  if (name === 'AbortError') return true;
  return typeof code === 'string' && MID_REQUEST_CODES.includes(code);
}

type Refresh = StandardRetryStrategy['refreshRetryTokenForRetry'];

/**
 * The SDK's StandardRetryStrategy (RetryStrategyV2, passed as a client's `retryStrategy`) that never
 * re-sends a request that may have arrived (`mayHaveArrived`): it retries throttling errors, 5xx answers
 * and failures to connect, as the standard strategy would, up to `maxAttempts` attempts in all. A refused
 * retry makes the SDK throw the attempt's own error, so the caller can tell an unknown outcome (see
 * `mayHaveArrived`) from a refusal.
 */
export class UnsentOnlyRetryStrategy extends StandardRetryStrategy {
  constructor(maxAttempts: number) {
    super({ maxAttempts });
  }

  override async refreshRetryTokenForRetry(...[token, errorInfo]: Parameters<Refresh>): ReturnType<Refresh> {
    if (mayHaveArrived(errorInfo.error)) throw new Error('not retried: the request may have arrived');
    return super.refreshRetryTokenForRetry(token, errorInfo);
  }
}
