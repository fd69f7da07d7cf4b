/**
 * One deadline per invocation, so every invocation ends with a decision (published, parked, or a 5xx the
 * sender can retry) before Lambda's timeout ends it, whatever a dependency does.
 *
 * The SDK's connectionTimeout/requestTimeout stop at the response headers: a dependency that sends its
 * headers and then stalls the body is bounded only by an AbortSignal passed to `client.send` (the Node
 * HTTP handler destroys the request on abort, body included; test/integration/faults.test.ts, fault 14).
 * Every port call therefore gets a signal from a Deadline. Pure: no AWS imports; time comes from a Clock.
 */
import { setMaxListeners } from 'node:events';
import { RECEIVER_FUNCTION } from './contract';
import { DeadlineExceededError } from './errors';

/** Where a Deadline reads the time and schedules its abort; tests pass a manual one. */
export interface Clock {
  /** Milliseconds on a monotonic scale (only differences matter). */
  now(): number;
  /** Calls `fn` once after `ms` milliseconds. */
  schedule(fn: () => void, ms: number): void;
}

/** The process's monotonic clock; its timers do not keep a finished process alive. */
export const SYSTEM_CLOCK: Clock = {
  now: () => performance.now(),
  schedule: (fn, ms) => void setTimeout(fn, ms).unref(),
};

/**
 * How an invocation's time is split (milliseconds). The SDK clients (handler.ts) allow 1.5 s per attempt
 * (requestTimeout) and two attempts; these slices are sized from that.
 */
export const BUDGET = {
  /** Lambda's remaining time when no context says (tests, tools): the stack's function timeout. */
  defaultRemainingMs: RECEIVER_FUNCTION.timeoutSeconds * 1000,
  /** Kept back from Lambda's timeout to return the answer and flush logs and metrics. */
  responseMs: 500,
  /** Kept back for the last SQS call: parking (webhook) or backoff (retry queue); one 1.5 s attempt and margin. */
  lastCallMs: 2000,
  /** Kept back after publishing to complete or release the claims (DynamoDB, a few ms when healthy). */
  settleMs: 1000,
  /**
   * At most this for a call whose failure has a fallback: reading secrets (the cached ones) and claiming
   * (publish without suppression). Two SDK attempts of 1.5 s and the retry delay fit (fault 9 needs both).
   */
  fallbackCallMs: 3500,
  /**
   * Balance confirmation (confirm.ts): at most this for the one GetAccountInfo per request, the Management API
   * client's own wait (issue 14).
   */
  confirmMs: 1500,
  /**
   * Kept back for publishing after a confirmation: one PublishBatch with its two SDK attempts of 1.5 s and the
   * retry delay, so asking never takes time the alert needs.
   */
  publishMs: 3500,
  /**
   * Incidents (lambda/incidents/track.ts): at most this for a request's incident calls (a consistent GetItem and a
   * conditional PutItem per key, all keys at once; a lost race reads again), taken before BUDGET.publishMs like
   * the confirmation, alongside it: one SDK attempt of 1.5 s and change. Past it, alerts go out without incidents.
   */
  incidentMs: 1500,
  /** Below this much time left, confirmation is not asked at all: an answer could not arrive anyway. */
  confirmMinMs: 100,
  /**
   * The retry consumer starts no record with less work time left than this: one PublishBatch attempt
   * (1.5 s) and the settling after it. Cut shorter, a publish would more likely end unanswered (ambiguous).
   */
  recordMs: 2500,
} as const;

/** A point in time (on `clock`) by which some work must be decided; immutable, derive shorter ones from it. */
export class Deadline {
  private controller?: AbortController;

  private constructor(
    /** The deadline on the clock's scale. */
    readonly at: number,
    private readonly clock: Clock,
  ) {}

  /** A deadline `ms` milliseconds from now. */
  static in(ms: number, clock: Clock = SYSTEM_CLOCK): Deadline {
    return new Deadline(clock.now() + ms, clock);
  }

  /**
   * An invocation's deadline: Lambda's remaining time (`context.getRemainingTimeInMillis()`, ms) less
   * BUDGET.responseMs. Without a context, the stack's function timeout is assumed.
   */
  static forInvocation(context: { getRemainingTimeInMillis(): number } | undefined, clock: Clock = SYSTEM_CLOCK): Deadline {
    const remaining = context?.getRemainingTimeInMillis() ?? BUDGET.defaultRemainingMs;
    return Deadline.in(remaining - BUDGET.responseMs, clock);
  }

  /** Milliseconds left, never negative. */
  remainingMs(): number {
    return Math.max(0, this.at - this.clock.now());
  }

  /** Aborts (with DeadlineExceededError) when the deadline passes; already aborted if it has. Created on first use. */
  get signal(): AbortSignal {
    if (!this.controller) {
      const controller = (this.controller = new AbortController());
      // Every call in flight listens (a request with many items claims them all at once); each removes its
      // listener when done. Node's default of 10 would print a leak warning, a non-JSON log line.
      setMaxListeners(0, controller.signal);
      const left = this.remainingMs();
      const abort = () => controller.abort(new DeadlineExceededError(left));
      if (left > 0) this.clock.schedule(abort, left);
      else abort();
    }
    return this.controller.signal;
  }

  /** A deadline `reserveMs` earlier than this one: the time left after keeping `reserveMs` back for what follows. */
  child(reserveMs: number): Deadline {
    return new Deadline(this.at - reserveMs, this.clock);
  }

  /** A deadline at most `ms` from now, and never later than this one. */
  within(ms: number): Deadline {
    return new Deadline(Math.min(this.at, this.clock.now() + ms), this.clock);
  }
}

/**
 * Waits for `promise`, but no longer than `signal` allows: rejects with the signal's reason when it aborts
 * first. For sharing one piece of work between callers with different deadlines; the work itself goes on.
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}
