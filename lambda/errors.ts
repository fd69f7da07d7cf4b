/**
 * The typed errors modules pass to one another, and how any error is written into a log line.
 * (The Management API client's errors live beside it, in voximplant/errors.ts.)
 */

/**
 * Thrown by a SecretsSource (ports.ts) when the secrets cannot be had by the time its signal aborts.
 * `missing` names parameters that do not exist (a configuration problem, not an outage).
 */
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

/**
 * The reason a Deadline's signal (deadline.ts) aborts with; the SDK rejects the aborted call with it as `cause`.
 * `budgetMs`: the budget that ran out, in milliseconds.
 */
export class DeadlineExceededError extends Error {
  constructor(readonly budgetMs: number) {
    super(`deadline exceeded (a budget of ${Math.round(budgetMs)} ms)`);
    this.name = 'DeadlineExceededError';
  }
}

/** An error's name and message for a log line (`Name: message`, or String() of a non-Error). AWS SDK errors carry no secret values. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
