/**
 * The two errors the local stand-in and the commands on top of it throw for mistakes a person can fix: the
 * message says everything, so no stack trace is shown. tools/cli.ts turns them into exit codes (2 and 1).
 */

/** The command was called wrongly (a bad flag or value, secrets that cannot work): exit 2 with the usage line. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A failure fully explained by its message (a port in use, a missing prerequisite, an unreachable URL): exit 1, no stack trace. */
export class Failure extends Error {
  override readonly name = 'Failure';
}
