/**
 * The load test's target: by default its own local stack, started in this process with startLocalStack()
 * (demo secrets, no state file, the printing inbox never subscribed, the function's logs silenced); or a running
 * `npm start`, found through its state file (--use-running, --url). Loopback targets only.
 */
import { ENV } from '../../lambda/contract';
import { motoEnv } from '../../local/moto';
import { canListen } from '../../local/ports';
import { isLocalSetting } from '../../local/env';
import { UsageError } from '../../local/errors';
import type { VoxSecrets } from '../../local/provision';
import { generateDemoSecrets, readSecretsFromSsm } from '../../local/secrets';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { isAlive, readState, statePath, type LocalStackState } from '../../local/state';

/** How long the own stack may take to stop before moto is killed. */
export const STOP_GRACE_MS = 15_000;
/** The own stack's last problems (a function that threw or timed out), kept for the report if stopping fails. */
const ERRORS_KEPT = 10;

export interface Target {
  readonly state: LocalStackState;
  readonly secrets: VoxSecrets;
  /** The own stack, when this run started it. */
  readonly own?: OwnStack;
}

export interface OwnStack {
  readonly stack: LocalStack;
  /** Its last problems, oldest first. */
  readonly errors: readonly string[];
}

/** How the own stack ended: stopped within STOP_GRACE_MS (else moto was killed), moto gone, its port free. */
export interface Cleanup {
  readonly stopped: boolean;
  readonly motoGone: boolean;
  readonly portFree: boolean;
  readonly killed: boolean;
}

export function isLoopback(url: URL): boolean {
  const host = url.hostname;
  return /^127(\.\d{1,3}){3}$/.test(host) || host === 'localhost' || host === '[::1]';
}

function sameServer(a: string, b: string): boolean {
  try {
    const x = new URL(a);
    const y = new URL(b);
    const hostsMatch = x.hostname === y.hostname || (isLoopback(x) && isLoopback(y));
    return hostsMatch && (x.port || '80') === (y.port || '80');
  } catch {
    return false;
  }
}

/**
 * Starts the own local stack in this process, on a free port. The shell's AWS, VOX_*, local stack and
 * receiver settings are dropped from this process's environment first (local/env.ts), so the stack runs
 * against its own moto with the receiver's defaults, whatever the shell holds. Rejects as startLocalStack.
 */
export async function startOwnStack(signal: AbortSignal): Promise<Target> {
  for (const name of Object.keys(process.env)) if (isLocalSetting(name)) delete process.env[name];
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  // Incidents off (INCIDENT_TABLE_NAME empty): the load test counts one alert per new min_balance, which incidents
  // would fold into one open low-balance incident by design.
  process.env[ENV.incidentTableName] = '';
  const errors: string[] = [];
  // onAlert not given: the printing inbox is not subscribed. The alerts are checked here, in the sender inbox;
  // a second subscriber would double moto's SNS and SQS work per alert, and moto is what limits this test.
  const stack = await startLocalStack({
    secrets: generateDemoSecrets(),
    quietFunctionLogs: true,
    signal,
    onError: (message) => {
      errors.push(message);
      if (errors.length > ERRORS_KEPT) errors.shift();
    },
  });
  return { state: stack.state, secrets: stack.secrets, own: { stack, errors } };
}

/**
 * The running `npm start` (its state file), checked to be the one `url` names if given, on loopback and on
 * moto; its secrets are read from its SSM. Throws UsageError when there is none or it does not fit.
 */
export async function findRunningStack(url: string | undefined): Promise<Target> {
  const state = readState();
  if (!state)
    throw new UsageError(
      `no running local stack found (${statePath()}): start one with \`npm start\`, or run without --use-running/--url to let the load test start its own`,
    );
  if (url !== undefined && !sameServer(url, state.url)) {
    throw new UsageError(
      `--url ${url} is not the running local stack (${state.url}, ${statePath()}): the load test needs its state file for the secrets and the inbox`,
    );
  }
  if (!isLoopback(new URL(state.url)))
    throw new UsageError(`the running local stack listens on ${state.url}: only loopback targets are allowed`);
  if (state.mode !== 'moto' || !state.motoEndpoint) {
    throw new UsageError('the local stack runs against real AWS (--aws): the load test only runs against moto');
  }
  Object.assign(process.env, motoEnv(state.motoEndpoint, state.region));
  return { state, secrets: await readSecretsFromSsm(state.prefix) };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Stops the own stack; past STOP_GRACE_MS its moto is killed (by pid). Then checks that moto is gone and the port free. */
export async function stopOwnStack({ stack }: OwnStack): Promise<Cleanup> {
  const outcome = await Promise.race([stack.stop().then(() => 'stopped' as const), sleep(STOP_GRACE_MS).then(() => 'late' as const)]);
  const motoPid = stack.moto?.pid;
  const killed = outcome === 'late' && motoPid !== undefined && isAlive(motoPid);
  if (killed) process.kill(motoPid, 'SIGKILL');
  // moto has been waited for; allow the kernel a moment to reap it all the same.
  for (let i = 0; i < 20 && motoPid !== undefined && isAlive(motoPid); i += 1) await sleep(100);
  return {
    stopped: outcome === 'stopped',
    motoGone: !(motoPid !== undefined && isAlive(motoPid)),
    portFree: await canListen(stack.port),
    killed,
  };
}
