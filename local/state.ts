/**
 * The state file: how `send-callback`, `configure --local` and `load --use-running` find the running local
 * stack (its URL, its moto endpoint, the resources it created). Written by startLocalStack when asked to,
 * atomically and readable by the user only; removed when that stack stops.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { SecretsOrigin } from './secrets';

/** The project's root directory (the default .env and state file live there). */
export const ROOT = resolve(__dirname, '..');
const DEFAULT_STATE_FILE = join(ROOT, '.local-stack', 'state.json');

export interface LocalStackState {
  /** The local stack's own process. */
  readonly pid: number;
  readonly url: string;
  readonly mode: 'moto' | 'aws';
  /** Set in moto mode: point the SDK here (with motoEnv) to reach the local stack's AWS. */
  readonly motoEndpoint?: string;
  readonly motoPid?: number;
  readonly region: string;
  readonly prefix: string;
  readonly topicArn: string;
  readonly tableName: string;
  /** The queue the local stack prints alerts from. */
  readonly inboxUrl: string;
  /** A second subscriber of the topic, read by `send-callback` (the local stack drains the first). */
  readonly senderInboxUrl: string;
  /** Where the receiver parks requests (202), consumed by the local stack; `npm run load` waits for it to empty. */
  readonly retryQueueUrl?: string;
  readonly secretsSource: SecretsOrigin;
  /** The Management API the function was pointed at (`npm start --voximplant-api`), if any. */
  readonly voximplantApiUrl?: string;
  readonly startedAt: string;
}

/** LOCAL_STACK_STATE overrides the location (the tests use it, so they never touch a developer's stack). */
export function statePath(env: NodeJS.ProcessEnv = process.env): string {
  return env.LOCAL_STACK_STATE || DEFAULT_STATE_FILE;
}

/** Whether a process with this id exists (EPERM: it does, but is another user's). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The running local stack, or undefined when there is none (no file, unreadable, or its process is gone). */
export function readState(path = statePath()): LocalStackState | undefined {
  let state: LocalStackState;
  try {
    state = JSON.parse(readFileSync(path, 'utf8')) as LocalStackState;
  } catch {
    return undefined;
  }
  return typeof state.pid === 'number' && isAlive(state.pid) ? state : undefined;
}

/** Writes the state file atomically (a temporary file renamed over it), mode 0600 in a 0700 directory. */
export function writeState(path: string, state: LocalStackState): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}

/** Removes the state file if it is this process's (a later stack may have replaced it). */
export function removeState(path: string): void {
  try {
    const state = JSON.parse(readFileSync(path, 'utf8')) as Partial<LocalStackState>;
    if (state.pid === process.pid) rmSync(path, { force: true });
  } catch {
    // nothing to remove
  }
}
