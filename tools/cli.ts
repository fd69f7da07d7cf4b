/**
 * What every command of this project does the same way: check the Node.js version, parse its flags with
 * Node's own `util.parseArgs`, answer `--help` without doing anything else, and turn a mistake into one
 * `error:` line plus the command's usage line (exit 2) instead of a stack trace.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { Failure, UsageError } from '../local/errors';

/** The oldest Node.js major the tools, the tests and the AWS SDK versions we use support (Node 20 is past its end of life). */
export const MIN_NODE_MAJOR = 22;

// Defined beside the local stand-in, which throws them too; every command imports them from here.
export { Failure, UsageError } from '../local/errors';

/** Why this Node.js cannot run the tools, or undefined when it can. `version` is `process.version`'s shape (`v22.1.0`). */
export function nodeVersionProblem(version: string = process.version): string | undefined {
  const major = Number(/^v?(\d+)\./.exec(version)?.[1] ?? 0);
  if (major >= MIN_NODE_MAJOR) return undefined;
  return (
    `Node.js ${MIN_NODE_MAJOR} or newer is required, this is ${version}: install Node.js ${MIN_NODE_MAJOR} LTS ` +
    '(https://nodejs.org/en/download, or your version manager: `nvm install 22`; offline, from the npm registry: ' +
    '`export PATH="$(bash .ci/node.sh 22):$PATH"`)'
  );
}

type Options = NonNullable<ParseArgsConfig['options']>;
const HELP = { help: { type: 'boolean', short: 'h', default: false } } as const;

/** The usage line of a help text: its first line starting with "Usage:" (else its first line). */
export function usageLine(usage: string): string {
  const lines = usage.split('\n');
  return (lines.find((line) => line.startsWith('Usage:')) ?? lines[0]).trim();
}

/**
 * Parses `argv` strictly against `options` (plus `-h/--help`). With `--help` it prints `usage` and exits 0
 * before anything else happens; a bad flag exits 2 with one error line and the usage line. Also refuses a
 * Node.js older than MIN_NODE_MAJOR, so every command says so first.
 */
export function parseCommandLine<const T extends Options>(argv: readonly string[], usage: string, options: T) {
  const tooOld = nodeVersionProblem();
  if (tooOld) exitWith(1, `error: ${tooOld}`);
  const config = { args: [...argv], options: { ...options, ...HELP }, strict: true, allowPositionals: false } as const;
  let values: ReturnType<typeof parseArgs<{ options: T & typeof HELP; strict: true; allowPositionals: false }>>['values'];
  try {
    ({ values } = parseArgs(config));
  } catch (error) {
    return exitWith(2, usageMessage((error as Error).message, usage));
  }
  if ((values as { help?: boolean }).help) exitWith(0, usage, 'stdout');
  return values;
}

/** A flag's whole-number value from `min` to `max` (`fallback` when not given); throws UsageError naming the flag otherwise. */
export function wholeNumber(name: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max)
    throw new UsageError(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`);
  return value;
}

/** A flag's fraction from 0 to below 1 (`fallback` when not given); throws UsageError naming the flag otherwise. */
export function fraction(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0 || value >= 1)
    throw new UsageError(`${name} must be a fraction from 0 to below 1, got ${JSON.stringify(text)}`);
  return value;
}

function usageMessage(message: string, usage: string): string {
  return `error: ${message}\n${usageLine(usage)}  (--help for all options)`;
}

function exitWith(code: number, text: string, stream: 'stdout' | 'stderr' = 'stderr'): never {
  process[stream].write(`${text}\n`);
  process.exit(code);
}

/**
 * Runs a command's `main` and exits with its code. UsageError → exit 2 with the usage line; Failure → exit 1
 * with its message; anything else → exit 1 with `describe(error)` (default: the stack, for bugs).
 */
export function runCommand(
  usage: string,
  main: () => Promise<number>,
  describe: (error: unknown) => string = (error) => (error as Error)?.stack ?? String(error),
): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      if (error instanceof UsageError) exitWith(2, usageMessage(error.message, usage));
      exitWith(1, `error: ${error instanceof Failure ? error.message : describe(error)}`);
    },
  );
}
