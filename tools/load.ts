/**
 * `npm run load`: a bounded load test against the local stack.
 *
 * Sends N signed min_balance callbacks in batches over a fixed pool of keep-alive connections, with a share
 * of duplicates (ids already answered, re-sent in another request) and of forged items (wrong hash). It reads
 * the SQS inbox during the load and after it (until every expected alert arrived, or a quiet period, or the
 * deadline) and checks it holds exactly the expected alerts: every genuine id once, nothing else.
 * It acts as a retrying sender: a 202 (parked by the receiver) is an answer whose alerts must still arrive
 * exactly once, through the retry queue; a 5xx or no answer is sent again, a few times.
 *
 * What it measures locally is moto's ceiling, not the receiver's. moto serves every request under one lock
 * on one core, and its SQS scans a whole queue for each message sent or received; on a 2-core machine it
 * saturates at about 65 callbacks/s, already at 4 connections. More connections only queue longer in moto:
 * from about 16 its answers pass the receiver's 1.5 s SDK timeout, the SDK retries calls moto did carry out
 * (a publish then goes out twice; a claim used to read as a duplicate and lose its alert, until claims carried
 * a token: test/integration/faults.test.ts, fault 9), and from 16 on moto collapses
 * under abandoned requests (mostly 503s). Hence the default of 4 connections; `--concurrency 50` runs the
 * issue's scenario, which on moto is expected to FAIL, and reports why.
 *
 * By default it starts its own local stack (tools/local-stack.ts) as a child process, on a free port, with
 * its own state file, and stops it at the end (SIGINT, then waits). `--use-running` (or `--url`) targets a
 * running `npm start` instead, found through its state file. Only loopback targets; everything is bounded by
 * `--timeout`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { SsmSecrets } from '../lambda/aws/ssm-secrets';
import type { Alert } from '../lambda/model';
import { errorMessage } from '../lambda/errors';
import { buildCallback } from './callbacks';
import { parseCommandLine, runCommand, UsageError } from './cli';
import { isAlive, parseAlert, readState, ROOT, statePath, type LocalStackState } from './local-stack';
import { freePort, motoEnv } from './moto';
import type { VoxSecrets } from './provision';

const USAGE = `Usage: npm run load -- [options]

A bounded load test against the local stack: signed min_balance callbacks in batches over keep-alive
connections, with duplicates and forged items mixed in; then the SQS inbox must hold exactly one alert per
genuine callback id, and none for a forged one. Prints PASS or FAIL; exit code 0 only on PASS.

Options:
  --callbacks <n>     callback items to send in all, duplicates and forged included (default 5000)
  --batch <n>         callbacks per request (default 10, at most 500: the receiver refuses bodies over 256 KiB)
  --concurrency <n>   concurrent connections (keep-alive, default 4). moto, not the receiver, is the limit:
                      on one core it saturates at ~65 callbacks/s with 4 connections already; beyond ~16 its
                      answers exceed the receiver's 1.5 s SDK timeout: alerts double, requests end 503,
                      and at 50 (runnable, expected to FAIL on moto: one core, whole-queue scans) it collapses
  --duplicates <f>    fraction of items that re-send an id already answered, in another request (default 0.1)
  --forged <f>        fraction of items with a wrong hash (default 0.1)
  --use-running       target the running \`npm start\` (its state file: LOCAL_STACK_STATE or .local-stack/state.json)
  --url <url>         target this running local stack (must match its state file; loopback only)
                      Default (neither): start an own local stack on a free port, and stop it at the end.
  --timeout <s>       hard bound for the whole run, stack start included (default 240); stopping adds a few s
  --json              print one JSON result on stdout (progress goes to stderr)
  -h, --help          this text`;

// ---------------------------------------------------------------------------------------------------
// Small helpers

/** Per-request bound: above the function's 10 s timeout in the local stack, so a slow answer is still seen. */
const REQUEST_TIMEOUT_MS = 20_000;
/**
 * How long the inbox may stay silent while alerts are still missing, and no parked request waits in the retry
 * queue, before they count as lost.
 */
const INBOX_QUIET_MS = 5000;
/** After the last expected alert: how long to watch for extra ones (duplicates, forged). */
const INBOX_SETTLE_MS = 2000;
/**
 * Concurrent inbox readers. moto answers requests roughly in turn, so a lone reader gets a small share of it
 * against many senders and the inbox grows; and moto's SQS costs grow with the queue's length (each message
 * sent or received scans the whole queue), so a growing inbox slows everything down until requests time out.
 * Several readers are safe: moto's ReceiveMessage is not atomic across threads and sometimes hands the same
 * message to two of them, but the copies carry the same SNS message id and count once (see InboxWatcher).
 */
const INBOX_READERS = 4;
/**
 * Alerts due (their request was answered) but not yet read, above which no new request is sent. This keeps
 * the inbox short, where moto's per-message scans are cheap; a fast sender would otherwise outrun the readers
 * and slow moto down for everyone. Time held back is reported ("throttled"), and counts in the throughput.
 */
const INBOX_MAX_BACKLOG = 100;
/** ...unless the inbox has been silent this long: then nothing is coming to catch up with (lost alerts). */
const INBOX_STALL_MS = 2000;
/** A retrying sender: after a 5xx or no answer, the same request again after these pauses (then it gives up). */
const RESEND_DELAYS_MS = [1000, 2000, 4000];
/** Bound on a queue-depth look-up (for the report, and whether parked requests still wait). */
const QUEUE_DEPTH_TIMEOUT_MS = 5000;
/** How long the own stack may take to stop after SIGINT before it is killed. */
const STOP_GRACE_MS = 15_000;
/** The receiver's MAX_BODY_BYTES is 256 KiB; a min_balance item is about 330 bytes. */
const MAX_BATCH = 500;

function wholeNumber(name: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max)
    throw new UsageError(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`);
  return value;
}

function fraction(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0 || value >= 1)
    throw new UsageError(`${name} must be a fraction from 0 to below 1, got ${JSON.stringify(text)}`);
  return value;
}

function isLoopback(url: URL): boolean {
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

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function canListen(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const round1 = (n: number) => Math.round(n * 10) / 10;

// ---------------------------------------------------------------------------------------------------
// CPU time per process (Linux /proc), to see where the time goes: moto, the local stack, this generator.

const CLK_TCK = (() => {
  const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const value = Number(out.stdout?.trim());
  return Number.isFinite(value) && value > 0 ? value : 100;
})();

/** User + system CPU seconds of a process, or undefined where /proc is not available. */
function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command: state(0) ... utime(11) stime(12)
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return undefined;
  }
}

interface Processes {
  readonly moto?: number;
  readonly stack?: number;
}

interface CpuSample {
  readonly at: number;
  readonly moto?: number;
  readonly stack?: number;
  readonly generator: number;
}

function sampleCpu(pids: Processes): CpuSample {
  const own = process.cpuUsage();
  return {
    at: performance.now(),
    moto: pids.moto ? cpuSeconds(pids.moto) : undefined,
    stack: pids.stack ? cpuSeconds(pids.stack) : undefined,
    generator: (own.user + own.system) / 1e6,
  };
}

export interface CpuShare {
  readonly seconds: number;
  /** Of one core, over the phase's wall time. */
  readonly percentOfCore: number;
}

function cpuBetween(a: CpuSample, b: CpuSample): Record<'moto' | 'stack' | 'generator', CpuShare | undefined> & { wallSeconds: number } {
  const wall = (b.at - a.at) / 1000;
  const share = (x: number | undefined, y: number | undefined): CpuShare | undefined =>
    x === undefined || y === undefined || wall <= 0
      ? undefined
      : { seconds: round1(y - x), percentOfCore: Math.round(((y - x) / wall) * 100) };
  return {
    wallSeconds: round1(wall),
    moto: share(a.moto, b.moto),
    stack: share(a.stack, b.stack),
    generator: share(a.generator, b.generator),
  };
}

// ---------------------------------------------------------------------------------------------------
// The own local stack: a child process with its own port and state file, stdout/stderr to files.

interface OwnStack {
  readonly child: ChildProcess;
  readonly port: number;
  readonly dir: string;
  readonly stateFile: string;
  readonly exited: Promise<number | null>;
  motoPid?: number;
  stackPid?: number;
  output(): string;
  errors(): string;
}

/** The environment for the own stack: nothing that would point it elsewhere or change the receiver's settings. */
function stackEnv(stateFile: string, port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(AWS_|VOX_|MOTO_|LOCAL_STACK_|POWERTOOLS_)/.test(key)) continue;
    if (['PORT', 'HOST', 'ALERT_TYPES', 'SECRETS_TTL_SECONDS', 'MAX_BODY_BYTES', 'DEDUPE_TTL_DAYS'].includes(key)) continue;
    env[key] = value;
  }
  return {
    ...env,
    LOCAL_STACK_STATE: stateFile,
    PORT: String(port),
    NO_COLOR: '1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

function tail(text: string, lines = 30): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Starts the own local stack; `waitReady` then waits for it. Returned at once, so the caller can always stop it. */
async function startOwnStack(log: (line: string) => void): Promise<OwnStack> {
  const dir = mkdtempSync(join(tmpdir(), 'voximplant-load-'));
  const stateFile = join(dir, 'state.json');
  const envFile = join(dir, 'empty.env'); // demo secrets, whatever the project's .env holds
  writeFileSync(envFile, '');
  const outFile = join(dir, 'stack.out');
  const errFile = join(dir, 'stack.err');
  const out = openSync(outFile, 'w');
  const err = openSync(errFile, 'w');
  const port = await freePort();
  // To files, not pipes: the stack prints a line per request, and a pipe we are too busy to read would slow it.
  // --no-print-alerts: the alerts are checked here, in the sender inbox; a second subscriber (the stack's own
  // printing inbox) would double moto's SNS and SQS work per alert, and moto is what limits this test.
  const args = ['tools/local-stack.ts', '--quiet-lambda-logs', '--no-print-alerts', '--env-file', envFile];
  const child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), args, {
    cwd: ROOT,
    env: stackEnv(stateFile, port),
    stdio: ['ignore', out, err],
  });
  closeSync(out);
  closeSync(err);
  const read = (file: string) => {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return '';
    }
  };
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', () => resolve(-1));
  });
  log(`starting an own local stack on port ${port} (moto, provisioning)...`);
  return { child, port, dir, stateFile, exited, output: () => read(outFile), errors: () => read(errFile) };
}

async function waitReady(stack: OwnStack, deadline: number, signal: AbortSignal): Promise<void> {
  let hasExited = false;
  void stack.exited.then(() => (hasExited = true));
  for (;;) {
    const text = stack.output();
    stack.motoPid ??= Number(/moto pid (\d+)/.exec(text)?.[1]) || undefined;
    stack.stackPid ??= Number(/local stack pid (\d+)/.exec(text)?.[1]) || undefined;
    if (/Ready: http:\/\/\S+/.test(text) && stack.motoPid && stack.stackPid) return;
    if (hasExited) throw new Error(`the local stack exited before it was ready:\n${tail(stack.errors() || text)}`);
    if (signal.aborted || Date.now() > deadline) throw new Error(`the local stack was not ready in time:\n${tail(stack.errors() || text)}`);
    await sleep(100);
  }
}

interface Cleanup {
  readonly exitCode: number | null;
  readonly motoGone: boolean;
  readonly stackGone: boolean;
  readonly portFree: boolean;
  readonly killed: boolean;
}

/**
 * SIGINT, as a user's Ctrl-C, to the stack's own node process rather than the tsx wrapper: tsx relays a signal
 * and, when the child has not acknowledged it within ~60 ms (a busy event loop, as under load), SIGKILLs it,
 * so the stack never stops its moto. After STOP_GRACE_MS the processes it started (known by pid) are killed.
 */
async function stopOwnStack(stack: OwnStack): Promise<Cleanup> {
  let killed = false;
  if (stack.child.exitCode === null && stack.child.signalCode === null) {
    if (stack.stackPid && isAlive(stack.stackPid)) process.kill(stack.stackPid, 'SIGINT');
    else stack.child.kill('SIGINT');
  }
  const code = await Promise.race([stack.exited, sleep(STOP_GRACE_MS).then(() => 'late' as const)]);
  if (code === 'late') {
    killed = true;
    for (const pid of [stack.motoPid, stack.stackPid]) {
      if (pid && isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
    stack.child.kill('SIGKILL');
    await Promise.race([stack.exited, sleep(2000)]);
  }
  // The stack waits for moto before it exits; allow the kernel a moment to reap it all the same.
  for (let i = 0; i < 20 && [stack.motoPid, stack.stackPid].some((pid) => pid && isAlive(pid)); i += 1) await sleep(100);
  const result: Cleanup = {
    exitCode: code === 'late' ? null : code,
    motoGone: !(stack.motoPid && isAlive(stack.motoPid)),
    stackGone: !(stack.stackPid && isAlive(stack.stackPid)),
    portFree: await canListen(stack.port),
    killed,
  };
  return result;
}

// ---------------------------------------------------------------------------------------------------
// The plan: which ids, which are forged, which are re-sent.

type Kind = 'new' | 'duplicate' | 'forged';

interface Item {
  readonly id: number;
  readonly kind: Kind;
}

interface Plan {
  /** New genuine and forged items, forged spread evenly, in sending order. */
  readonly fresh: readonly Item[];
  /** For each genuine id, how many times it is re-sent after its first request was answered. */
  readonly resends: ReadonlyMap<number, number>;
  readonly genuineIds: ReadonlySet<number>;
  readonly forgedIds: ReadonlySet<number>;
  readonly duplicates: number;
}

function makePlan(callbacks: number, duplicateShare: number, forgedShare: number): Plan {
  const duplicates = Math.round(callbacks * duplicateShare);
  const forged = Math.round(callbacks * forgedShare);
  const unique = callbacks - duplicates - forged;
  if (unique < 1 && duplicates + forged > 0 && duplicates > 0)
    throw new UsageError('--duplicates and --forged leave no genuine callback to re-send');
  if (unique < 0) throw new UsageError('--duplicates and --forged add up to more than --callbacks');
  // Far above Voximplant's own sequence numbers and send-callback's time-based ids (~1.8e15); random per run.
  const base = 5_000_000_000_000_000 + randomInt(0, 2 ** 47);
  const fresh: Item[] = [];
  const genuineIds = new Set<number>();
  const forgedIds = new Set<number>();
  const total = unique + forged;
  for (let i = 0; i < total; i += 1) {
    const isForged = Math.floor(((i + 1) * forged) / total) > Math.floor((i * forged) / total);
    const id = base + i;
    fresh.push({ id, kind: isForged ? 'forged' : 'new' });
    (isForged ? forgedIds : genuineIds).add(id);
  }
  const genuine = [...genuineIds];
  const resends = new Map<number, number>();
  for (let k = 0; k < duplicates; k += 1) {
    const id = genuine[Math.floor((k * genuine.length) / duplicates) % genuine.length];
    resends.set(id, (resends.get(id) ?? 0) + 1);
  }
  return { fresh, resends, genuineIds, forgedIds, duplicates };
}

// ---------------------------------------------------------------------------------------------------
// Sending

interface Counts {
  accepted: number;
  duplicates: number;
  ignored: number;
  rejected: number;
}

interface RequestResult {
  readonly status: string;
  readonly ms: number;
  readonly counts?: Counts;
  readonly body: string;
}

function post(agent: Agent, url: URL, body: string, signal: AbortSignal): Promise<RequestResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (status: string, text = '', counts?: Counts) => {
      if (settled) return;
      settled = true;
      resolve({ status, ms: performance.now() - started, counts, body: text });
    };
    const req = httpRequest(
      url,
      {
        method: 'POST',
        agent,
        signal,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'voximplant-alerts-load' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) => done(`error ${(error as NodeJS.ErrnoException).code ?? error.message}`));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let counts: Counts | undefined;
          try {
            const parsed = JSON.parse(text) as Partial<Counts>;
            if (['accepted', 'duplicates', 'ignored', 'rejected'].every((key) => typeof parsed[key as keyof Counts] === 'number'))
              counts = parsed as Counts;
          } catch {
            // not JSON
          }
          done(String(res.statusCode ?? 0), text, counts);
        });
      },
    );
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (error: NodeJS.ErrnoException) => done(`error ${signal.aborted ? 'ABORTED' : (error.code ?? error.message)}`));
    req.end(body);
  });
}

interface SendResult {
  /** HTTP requests made, re-sends included. */
  readonly requests: number;
  readonly items: { new: number; duplicate: number; forged: number };
  /** Per request, re-sends included. */
  readonly latencies: number[];
  readonly statuses: Record<string, number>;
  /** Summed over the 200 answers. */
  readonly counts: Counts;
  /** Items answered 401 as a whole (requests with no genuine item): rejected without counts. */
  readonly rejectedBy401: number;
  /** Requests answered 202: parked by the receiver, their alerts come later through the retry queue. */
  readonly parked: number;
  /** Requests sent again after a 5xx or no answer, as a retrying sender would. */
  readonly resent: number;
  /** Wall time the senders were held back because the inbox check fell behind (INBOX_MAX_BACKLOG). */
  readonly throttledMs: number;
  readonly problems: string[];
  readonly problemCount: number;
  /** Not sent because the run was stopped (--timeout, Ctrl-C). */
  readonly notSent: number;
  /** Duplicates not sent because the request with their first copy failed. */
  readonly resendsDropped: number;
  readonly wallMs: number;
}

/** A sender retries these: the receiver's 503 (not even parked), a gateway 500/502/504, or no answer at all. */
function isRetryable(status: string): boolean {
  return /^(5\d\d|429)$/.test(status) || (status.startsWith('error ') && status !== 'error ABORTED');
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

async function sendAll(
  options: {
    url: URL;
    batch: number;
    concurrency: number;
    secrets: VoxSecrets;
    signal: AbortSignal;
    /** Whether to hold back new requests, given how many alerts are due so far (see INBOX_MAX_BACKLOG). */
    inboxBehind: (alertsDue: number) => boolean;
  },
  plan: Plan,
  progress: (sent: number, total: number) => void,
): Promise<SendResult> {
  const { url, batch, concurrency, secrets, signal, inboxBehind } = options;
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
  const forgedKey = { salt: 'load-test-forged-salt', apiKey: 'load-test-forged-api-key' };
  const statuses: Record<string, number> = {};
  const latencies: number[] = [];
  const counts: Counts = { accepted: 0, duplicates: 0, ignored: 0, rejected: 0 };
  const items = { new: 0, duplicate: 0, forged: 0 };
  const problems: string[] = [];
  let problemCount = 0;
  const problem = (text: string) => {
    problemCount += 1;
    if (problems.length < 10) problems.push(text);
  };
  let rejectedBy401 = 0;
  let requests = 0;
  let parked = 0;
  let resent = 0;
  /**
   * Ids in a request that was parked or re-sent: which request (or the retry queue) claims them first is open,
   * so a later copy may count as new and the first as duplicate. Their answers are checked for totals only.
   */
  const unsettled = new Set<number>();
  /** New genuine ids in answered requests: an alert each is due in the inbox. */
  let alertsDue = 0;

  // Holding back: one gate for all workers, open again once the inbox check has caught up.
  let throttledMs = 0;
  let gate: Promise<void> | undefined;
  const throttle = () =>
    (gate ??= (async () => {
      const since = performance.now();
      while (!signal.aborted && inboxBehind(alertsDue)) await abortableSleep(20, signal);
      throttledMs += performance.now() - since;
      gate = undefined;
    })());

  let freshIndex = 0;
  const pool: number[] = []; // ids whose first request was answered, waiting to be re-sent
  let resendsLeft = plan.duplicates; // to send, or to become available
  let resendsDropped = 0; // their first request failed: not re-sent
  let inFlight = 0;
  let resendsInFlight = 0; // re-sends of the new ids in requests in flight
  let wake: (() => void) | undefined;
  const completed = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  signal.addEventListener('abort', completed, { once: true });
  const totalItems = plan.fresh.length + plan.duplicates;
  let sentItems = 0;

  const next = (): Item[] | 'wait' | 'done' => {
    const freshLeft = plan.fresh.length - freshIndex;
    const remaining = freshLeft + resendsLeft;
    if (remaining === 0) return 'done';
    // Duplicates in proportion over the run, as their first copies are answered; always full batches, but for the
    // last one: rather than a short (or forged-only) batch, wait for re-sends whose first request is in flight.
    const wanted = freshLeft > 0 ? Math.ceil((batch * resendsLeft) / remaining) : batch;
    const dupTake = Math.min(pool.length, wanted, batch);
    const freshTake = Math.min(batch - dupTake, freshLeft);
    if (dupTake + freshTake < batch && resendsInFlight > 0) return 'wait';
    const chosen: Item[] = plan.fresh.slice(freshIndex, freshIndex + freshTake);
    freshIndex += freshTake;
    for (const id of pool.splice(0, dupTake)) chosen.push({ id, kind: 'duplicate' });
    resendsLeft -= dupTake;
    return chosen;
  };

  /** One request, and up to MAX_RESENDS more of the same body while the answer is retryable. */
  const deliver = async (body: string, genuineIds: readonly number[]): Promise<RequestResult> => {
    for (let attempt = 0; ; attempt += 1) {
      const result = await post(agent, url, body, signal);
      requests += 1;
      latencies.push(result.ms);
      statuses[result.status] = (statuses[result.status] ?? 0) + 1;
      if (!isRetryable(result.status) || attempt >= RESEND_DELAYS_MS.length || signal.aborted) return result;
      resent += 1;
      for (const id of genuineIds) unsettled.add(id);
      await abortableSleep(RESEND_DELAYS_MS[attempt], signal);
    }
  };

  const started = performance.now();
  const worker = async () => {
    while (!signal.aborted) {
      if (inboxBehind(alertsDue)) await throttle();
      const chosen = next();
      if (chosen === 'done') return;
      if (chosen === 'wait') {
        if (inFlight === 0) return; // cannot happen: waiting means re-sends in flight
        await new Promise<void>((resolve) => {
          const previous = wake;
          wake = () => {
            previous?.();
            resolve();
          };
        });
        continue;
      }
      const body = JSON.stringify({
        callbacks: chosen.map(({ id, kind }) =>
          buildCallback(secrets, { callbackId: id, ...(kind === 'forged' ? { signWith: forgedKey } : {}) }),
        ),
      });
      const expect = { new: 0, duplicate: 0, forged: 0 };
      for (const item of chosen) expect[item.kind] += 1;
      const genuineIds = chosen.filter((item) => item.kind !== 'forged').map((item) => item.id);
      const resendsHere = chosen.reduce((n, item) => n + (item.kind === 'new' ? (plan.resends.get(item.id) ?? 0) : 0), 0);
      inFlight += 1;
      resendsInFlight += resendsHere;
      const result = await deliver(body, genuineIds);
      inFlight -= 1;
      resendsInFlight -= resendsHere;
      sentItems += chosen.length;
      items.new += expect.new;
      items.duplicate += expect.duplicate;
      items.forged += expect.forged;
      // 200: handled. 202: parked, handled later by the retry queue, so its alerts must still arrive exactly once.
      const answered = genuineIds.length > 0 ? ['200', '202'] : ['401'];
      const ok = answered.includes(result.status);
      if (!ok) {
        problem(`expected ${answered.join(' or ')}, got ${result.status} ${result.body.slice(0, 200)}`.trim());
      } else if (result.status === '401') {
        rejectedBy401 += chosen.length;
      } else if (result.status === '202') {
        parked += 1;
        for (const id of genuineIds) unsettled.add(id);
      } else if (!result.counts) {
        problem(`200 without counts: ${result.body.slice(0, 200)}`);
      } else {
        const c = result.counts;
        counts.accepted += c.accepted;
        counts.duplicates += c.duplicates;
        counts.ignored += c.ignored;
        counts.rejected += c.rejected;
        const settled = !genuineIds.some((id) => unsettled.has(id));
        const splitWrong = settled
          ? c.accepted !== expect.new || c.duplicates !== expect.duplicate
          : c.accepted + c.duplicates !== genuineIds.length;
        if (splitWrong || c.rejected !== expect.forged || c.ignored !== 0) {
          problem(
            `counts ${JSON.stringify(c)} for ${expect.new} new, ${expect.duplicate} duplicate(s), ${expect.forged} forged` +
              (settled ? '' : ' (some parked or re-sent before)') +
              (c.ignored > 0 ? " (ignored: is min_balance in the receiver's ALERT_TYPES?)" : ''),
          );
        }
      }
      if (ok) alertsDue += expect.new;
      // The new ids of an answered request may now be re-sent; those of a failed one are not.
      for (const item of chosen) {
        if (item.kind !== 'new') continue;
        const times = plan.resends.get(item.id) ?? 0;
        if (times === 0) continue;
        if (ok) for (let i = 0; i < times; i += 1) pool.push(item.id);
        else {
          resendsLeft -= times;
          resendsDropped += times;
        }
      }
      progress(sentItems, totalItems);
      completed();
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    agent.destroy();
  }
  const wallMs = performance.now() - started;
  const notSent = totalItems - sentItems - resendsDropped;
  return {
    requests,
    items,
    latencies,
    statuses,
    counts,
    rejectedBy401,
    parked,
    resent,
    throttledMs: Math.round(throttledMs),
    problems,
    problemCount,
    notSent,
    resendsDropped,
    wallMs,
  };
}

// ---------------------------------------------------------------------------------------------------
// The inbox

/** An alert as read from the inbox, with the id of the SNS notification that carried it. */
interface Delivery {
  readonly notificationId: string;
  readonly alert: Alert | undefined;
}

/** One receive (up to 10 messages, long-polling up to `waitSeconds`), and the delete of what it got. */
async function receiveAlerts(sqs: SQSClient, queueUrl: string, waitSeconds: number, abortSignal: AbortSignal): Promise<Delivery[]> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: waitSeconds }),
    { abortSignal },
  );
  if (Messages.length === 0) return [];
  await sqs.send(
    new DeleteMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
    }),
    { abortSignal },
  );
  return Messages.map((m) => {
    let envelope: { MessageId?: string; Subject?: string; Message?: string } = {};
    try {
      envelope = JSON.parse(m.Body ?? '{}') as typeof envelope;
    } catch {
      // not an SNS envelope: counted as not ours
    }
    const alert = parseAlert({ subject: envelope.Subject, message: envelope.Message ?? '', attributes: {} });
    return { notificationId: envelope.MessageId ?? m.MessageId ?? '', alert };
  });
}

interface InboxResult {
  readonly expected: number;
  /** Alerts for this run's genuine ids, repeats included. */
  readonly received: number;
  readonly distinct: number;
  readonly missing: number;
  /** Alerts beyond the first for the same id. */
  readonly duplicated: number;
  readonly forged: number;
  /** Alerts in the inbox that are not this run's (another sender on a running stack): ignored. */
  readonly foreign: number;
  /** Copies of a notification already read (same SNS message id): one alert read twice, not a duplicate alert. */
  readonly redelivered: number;
  /** From the last response until the check ended. */
  readonly drainMs: number;
  /**
   * Why reading ended: `settled` (all expected alerts, then INBOX_SETTLE_MS of silence), `quiet` (alerts missing,
   * INBOX_QUIET_MS of silence), `deadline` (--timeout) or `stopped` (Ctrl-C, or the load was stopped).
   */
  readonly endedBy: 'settled' | 'quiet' | 'deadline' | 'stopped';
  readonly missingSample: number[];
  readonly duplicatedSample: number[];
}

/**
 * Reads the inbox WHILE the load is sent, and on after the last response until every expected alert arrived
 * (then INBOX_SETTLE_MS more, to catch extra ones) or the inbox stayed quiet for INBOX_QUIET_MS.
 * Reading during the load keeps the queue short: moto's ReceiveMessage and DeleteMessage scan the whole
 * queue, so draining thousands of queued alerts afterwards costs time quadratic in their number. For the same
 * reason the senders wait while it lags (isBehind), with INBOX_READERS readers to keep up.
 */
class InboxWatcher {
  private readonly seen = new Map<number, number>();
  private readonly notifications = new Set<string>();
  private redelivered = 0;
  private received = 0;
  private distinct = 0;
  private forged = 0;
  private foreign = 0;
  private sendingDoneAt?: number;
  private lastMessageAt = Date.now();
  private stopped = false;
  private readers: Promise<void>[] = [];
  private failure?: unknown;
  private endedBy?: InboxResult['endedBy'];
  private readonly abort = new AbortController();

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly plan: Plan,
    private readonly accountId: string,
    private readonly deadline: number,
    /** The stack's retry queue: while parked requests wait there, missing alerts may still come. */
    private readonly retryQueueUrl?: string,
  ) {}

  /** Whether the senders should wait for the readers (INBOX_MAX_BACKLOG, INBOX_STALL_MS). */
  isBehind(alertsDue: number): boolean {
    return alertsDue - this.distinct > INBOX_MAX_BACKLOG && Date.now() - this.lastMessageAt < INBOX_STALL_MS;
  }

  start(readers: number): void {
    this.readers = Array.from({ length: readers }, () => this.read());
  }

  private take(deliveries: readonly Delivery[]): void {
    if (deliveries.length > 0) this.lastMessageAt = Date.now();
    for (const { notificationId, alert } of deliveries) {
      // One SNS notification read twice (moto's receive race; SQS is at-least-once too) is one alert;
      // a second alert for the same callback is a second notification, with its own id.
      if (this.notifications.has(notificationId)) {
        this.redelivered += 1;
        continue;
      }
      this.notifications.add(notificationId);
      if (!alert || String(alert.accountId) !== this.accountId) this.foreign += 1;
      else if (this.plan.forgedIds.has(alert.callbackId)) this.forged += 1;
      else if (!this.plan.genuineIds.has(alert.callbackId)) this.foreign += 1;
      else {
        this.received += 1;
        const before = this.seen.get(alert.callbackId) ?? 0;
        if (before === 0) this.distinct += 1;
        this.seen.set(alert.callbackId, before + 1);
      }
    }
  }

  private async read(): Promise<void> {
    try {
      while (!this.stopped && this.endedBy === undefined) {
        const left = this.deadline - Date.now();
        if (left <= 0) {
          this.endedBy ??= 'deadline';
          return;
        }
        this.take(await receiveAlerts(this.sqs, this.queueUrl, left >= 1000 ? 1 : 0, this.abort.signal));
        if (this.sendingDoneAt === undefined) continue;
        const silentFor = Date.now() - Math.max(this.lastMessageAt, this.sendingDoneAt);
        if (this.distinct >= this.plan.genuineIds.size && silentFor >= INBOX_SETTLE_MS) this.endedBy ??= 'settled';
        else if (silentFor >= INBOX_QUIET_MS) {
          if (await this.retriesPending())
            this.lastMessageAt = Date.now(); // not quiet yet: look again later
          else this.endedBy ??= 'quiet';
        }
      }
    } catch (error) {
      if (!this.stopped) this.failure ??= error;
    }
  }

  private async retriesPending(): Promise<boolean> {
    if (!this.retryQueueUrl) return false;
    return ((await queueDepth(this.sqs, this.retryQueueUrl)) ?? 0) > 0;
  }

  /** Stops reading at once (timeout, Ctrl-C). */
  stop(): void {
    this.stopped = true;
    this.abort.abort();
  }

  async finish(): Promise<InboxResult> {
    this.sendingDoneAt = Date.now();
    await Promise.all(this.readers);
    this.stopped = true;
    if (this.failure) throw new Error(`reading the inbox failed: ${errorMessage(this.failure)}`);
    const missingIds = [...this.plan.genuineIds].filter((id) => !this.seen.has(id));
    const duplicatedIds = [...this.seen].filter(([, n]) => n > 1).map(([id]) => id);
    return {
      expected: this.plan.genuineIds.size,
      received: this.received,
      distinct: this.distinct,
      missing: missingIds.length,
      duplicated: duplicatedIds.reduce((n, id) => n + this.seen.get(id)! - 1, 0),
      forged: this.forged,
      foreign: this.foreign,
      redelivered: this.redelivered,
      drainMs: Date.now() - this.sendingDoneAt,
      endedBy: this.endedBy ?? 'stopped',
      missingSample: missingIds.slice(0, 5),
      duplicatedSample: duplicatedIds.slice(0, 5),
    };
  }
}

// ---------------------------------------------------------------------------------------------------
// Main

export interface LoadResult {
  readonly pass: boolean;
  readonly problems: string[];
  readonly config: {
    readonly callbacks: number;
    readonly batch: number;
    readonly concurrency: number;
    readonly duplicates: number;
    readonly forged: number;
    readonly timeoutSeconds: number;
  };
  readonly target?: {
    readonly url: string;
    readonly ownStack: boolean;
    readonly motoPid?: number;
    readonly stackPid?: number;
    readonly port?: number;
  };
  readonly sent?: {
    readonly requests: number;
    readonly callbacks: number;
    readonly genuine: number;
    readonly duplicates: number;
    readonly forged: number;
    readonly notSent: number;
    readonly duplicatesDropped: number;
    /** Requests answered 202 (parked; alerts via the retry queue), re-sent after a 5xx or no answer, and time held back. */
    readonly parked: number;
    readonly resent: number;
    readonly throttledSeconds: number;
  };
  readonly throughput?: { readonly seconds: number; readonly requestsPerSecond: number; readonly callbacksPerSecond: number };
  readonly latencyMs?: { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number; readonly mean: number };
  readonly statuses?: Record<string, number>;
  readonly counts?: Counts & {
    readonly rejectedBy401: number;
    readonly expected: { accepted: number; duplicates: number; rejected: number };
  };
  readonly inbox?: InboxResult;
  readonly cpu?: { readonly send: ReturnType<typeof cpuBetween>; readonly drain?: ReturnType<typeof cpuBetween> };
  /** Messages waiting in the inboxes at the last response: the local stack's (it prints them) and the one checked here. */
  readonly backlogAtEnd?: { readonly stackInbox?: number; readonly checkedInbox?: number };
  readonly cleanup?: Cleanup;
  /** Starting the own local stack (moto, provisioning), s. */
  readonly startupSeconds?: number;
  readonly timedOut: boolean;
}

async function secretsFromSsm(prefix: string): Promise<VoxSecrets> {
  const ssm = new SSMClient({});
  const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
  try {
    const secrets = await new SsmSecrets(ssm, prefix, 0, quiet).get();
    const [current] = secrets.credentials;
    return { accountId: secrets.accountId, salt: current.salt, apiKey: current.apiKey };
  } finally {
    ssm.destroy();
  }
}

/** Messages in a queue, or undefined if moto does not say within QUEUE_DEPTH_TIMEOUT_MS (an overloaded moto queues requests). */
async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<number | undefined> {
  try {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
      { abortSignal: AbortSignal.timeout(QUEUE_DEPTH_TIMEOUT_MS) },
    );
    return Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
  } catch {
    return undefined;
  }
}

function waitForState(file: string, deadline: number): Promise<LocalStackState> {
  return (async () => {
    while (Date.now() < deadline) {
      const state = readState(file);
      if (state) return state;
      await sleep(100);
    }
    throw new Error(`the local stack's state file ${file} did not appear`);
  })();
}

async function main(argv: string[]): Promise<number> {
  const values = parseCommandLine(argv, USAGE, {
    callbacks: { type: 'string' },
    batch: { type: 'string' },
    concurrency: { type: 'string' },
    duplicates: { type: 'string' },
    forged: { type: 'string' },
    url: { type: 'string' },
    'use-running': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    timeout: { type: 'string' },
  });
  const config = {
    callbacks: wholeNumber('--callbacks', values.callbacks, 5000, 1, 100_000),
    batch: wholeNumber('--batch', values.batch, 10, 1, MAX_BATCH),
    concurrency: wholeNumber('--concurrency', values.concurrency, 4, 1, 256),
    duplicates: fraction('--duplicates', values.duplicates, 0.1),
    forged: fraction('--forged', values.forged, 0.1),
    timeoutSeconds: wholeNumber('--timeout', values.timeout, 240, 1, 3600),
  };
  if (values.url !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(values.url);
    } catch {
      throw new UsageError(`--url is not a URL: ${JSON.stringify(values.url)}`);
    }
    if (parsed.protocol !== 'http:' || !isLoopback(parsed))
      throw new UsageError(`--url must be an http:// loopback address (127.0.0.1), got ${values.url}`);
  }
  const plan = makePlan(config.callbacks, config.duplicates, config.forged);

  const json = values.json;
  const log = (line: string) => (json ? process.stderr : process.stdout).write(`${line}\n`);
  const started = Date.now();
  const deadline = started + config.timeoutSeconds * 1000;
  const abort = new AbortController();
  setMaxListeners(2 * config.concurrency + 20, abort.signal); // per worker: its request in flight, or its pause before a re-send
  let timedOut = false;
  const hardStop = setTimeout(() => {
    timedOut = true;
    abort.abort();
  }, config.timeoutSeconds * 1000);
  hardStop.unref();

  const problems: string[] = [];
  let stack: OwnStack | undefined;
  let cleanup: Cleanup | undefined;
  let sqs: SQSClient | undefined;
  const partial: { -readonly [K in keyof LoadResult]?: LoadResult[K] } = {};

  // Ctrl-C: stop sending, stop the own stack, report.
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    problems.push('interrupted');
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // A last resort if stopping hangs: kill what we started, by pid, and exit.
  const lastResort = setTimeout(
    () => {
      for (const pid of [stack?.motoPid, stack?.stackPid, stack?.child.pid]) if (pid && isAlive(pid)) process.kill(pid, 'SIGKILL');
      process.stderr.write('error: the run did not end in time after --timeout; killed what it started\n');
      process.exit(1);
    },
    config.timeoutSeconds * 1000 + STOP_GRACE_MS + 15_000,
  );
  lastResort.unref();

  try {
    // 1. The target.
    let state: LocalStackState;
    if (values['use-running'] || values.url !== undefined) {
      const found = readState();
      if (!found)
        throw new UsageError(
          `no running local stack found (${statePath()}): start one with \`npm start\`, or run without --use-running/--url to let the load test start its own`,
        );
      if (values.url !== undefined && !sameServer(values.url, found.url)) {
        throw new UsageError(
          `--url ${values.url} is not the running local stack (${found.url}, ${statePath()}): the load test needs its state file for the secrets and the inbox`,
        );
      }
      state = found;
      if (!isLoopback(new URL(state.url)))
        throw new UsageError(`the running local stack listens on ${state.url}: only loopback targets are allowed`);
      log(`using the running local stack at ${state.url} (pid ${state.pid})`);
    } else {
      stack = await startOwnStack(log);
      await waitReady(stack, deadline, abort.signal);
      state = await waitForState(stack.stateFile, deadline);
      partial.startupSeconds = round1((Date.now() - started) / 1000);
      log(`local stack ready in ${partial.startupSeconds} s: ${state.url} (moto pid ${stack.motoPid})`);
    }
    if (state.mode !== 'moto' || !state.motoEndpoint) {
      throw new UsageError('the local stack runs against real AWS (--aws): the load test only runs against moto');
    }
    const url = new URL(state.url);
    if (url.hostname === 'localhost') url.hostname = '127.0.0.1';
    partial.target = {
      url: url.href,
      ownStack: stack !== undefined,
      motoPid: state.motoPid,
      stackPid: state.pid,
      ...(stack ? { port: stack.port } : {}),
    };
    Object.assign(process.env, motoEnv(state.motoEndpoint, state.region));
    const secrets = await secretsFromSsm(state.prefix);
    sqs = new SQSClient({});
    const pids: Processes = { moto: state.motoPid, stack: state.pid };

    // 2. Send.
    log(
      `sending ${config.callbacks} callbacks (${plan.genuineIds.size} unique genuine, ${plan.duplicates} duplicates, ${plan.forgedIds.size} forged) ` +
        `to ${url.href} in batches of ${config.batch} over ${config.concurrency} connections...`,
    );
    // The inbox: the topic's second subscriber (the local stack prints from the first), read from now on.
    const watcher = new InboxWatcher(sqs, state.senderInboxUrl, plan, secrets.accountId, deadline, state.retryQueueUrl);
    abort.signal.addEventListener('abort', () => watcher.stop());
    let lastReport = Date.now();
    const cpuStart = sampleCpu(pids);
    watcher.start(INBOX_READERS);
    const options = {
      url,
      batch: config.batch,
      concurrency: config.concurrency,
      secrets,
      signal: abort.signal,
      inboxBehind: (due: number) => watcher.isBehind(due),
    };
    const sent = await sendAll(options, plan, (done, total) => {
      if (Date.now() - lastReport >= 5000) {
        lastReport = Date.now();
        log(`  ${done}/${total} callbacks answered`);
      }
    });
    const cpuSent = sampleCpu(pids);
    // How far the inboxes lag when the last response came: moto's ReceiveMessage scans the whole queue, so a
    // backlog makes every read slower. The own stack's printing inbox is never subscribed; a running one's is read.
    partial.backlogAtEnd = {
      ...(stack ? {} : { stackInbox: await queueDepth(sqs, state.inboxUrl) }),
      checkedInbox: await queueDepth(sqs, state.senderInboxUrl),
    };
    const sorted = [...sent.latencies].sort((a, b) => a - b);
    const seconds = sent.wallMs / 1000;
    partial.sent = {
      requests: sent.requests,
      callbacks: sent.items.new + sent.items.duplicate + sent.items.forged,
      genuine: sent.items.new,
      duplicates: sent.items.duplicate,
      forged: sent.items.forged,
      notSent: sent.notSent,
      duplicatesDropped: sent.resendsDropped,
      parked: sent.parked,
      resent: sent.resent,
      throttledSeconds: round1(sent.throttledMs / 1000),
    };
    partial.throughput = {
      seconds: Math.round(seconds * 100) / 100,
      requestsPerSecond: round1(sent.requests / seconds),
      callbacksPerSecond: round1(partial.sent.callbacks / seconds),
    };
    partial.latencyMs = {
      p50: Math.round(percentile(sorted, 50)),
      p90: Math.round(percentile(sorted, 90)),
      p99: Math.round(percentile(sorted, 99)),
      max: Math.round(sorted[sorted.length - 1] ?? 0),
      mean: Math.round(sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length)),
    };
    partial.statuses = sent.statuses;
    partial.counts = {
      ...sent.counts,
      rejectedBy401: sent.rejectedBy401,
      expected: { accepted: sent.items.new, duplicates: sent.items.duplicate, rejected: sent.items.forged },
    };
    partial.cpu = { send: cpuBetween(cpuStart, cpuSent) };
    problems.push(...sent.problems);
    if (sent.problemCount > sent.problems.length)
      problems.push(`... and ${sent.problemCount - sent.problems.length} more request problem(s)`);
    if (sent.notSent > 0) problems.push(`${sent.notSent} callback(s) not sent: stopped early`);
    if (sent.resendsDropped > 0) problems.push(`${sent.resendsDropped} duplicate(s) not sent: the request with their first copy failed`);
    const c = sent.counts;
    if (sent.parked === 0 && sent.resent === 0) {
      if (c.accepted !== plan.genuineIds.size)
        problems.push(`accepted ${c.accepted} in all, expected ${plan.genuineIds.size} (one per unique genuine id)`);
      if (c.duplicates !== plan.duplicates) problems.push(`duplicates ${c.duplicates} in all, expected ${plan.duplicates} (the re-sends)`);
      if (c.rejected + sent.rejectedBy401 !== plan.forgedIds.size)
        problems.push(`rejected ${c.rejected + sent.rejectedBy401} in all, expected ${plan.forgedIds.size} (the forged items)`);
    } else {
      // A parked request's counts are partial and a re-sent one counts its items again: the inbox decides.
      log(`note: ${sent.parked} request(s) parked (202) and ${sent.resent} re-sent: the answered totals are not checked, the inbox is`);
    }
    if (c.ignored !== 0) problems.push(`ignored ${c.ignored}: min_balance is not in the receiver's ALERT_TYPES`);

    // 3. The rest of the inbox.
    if (!abort.signal.aborted) log(`waiting for the rest of the ${plan.genuineIds.size} alerts...`);
    const inbox = await watcher.finish();
    partial.inbox = inbox;
    partial.cpu = { send: partial.cpu.send, drain: cpuBetween(cpuSent, sampleCpu(pids)) };
    const cut = inbox.endedBy === 'deadline' || inbox.endedBy === 'stopped';
    if (cut)
      problems.push(
        `the inbox check was cut short (${inbox.endedBy === 'deadline' ? '--timeout' : 'stopped'}): ${inbox.distinct} of ${inbox.expected} alerts had arrived`,
      );
    if (inbox.missing > 0 && !cut)
      problems.push(`${inbox.missing} genuine callback(s) never alerted (lost), e.g. ${inbox.missingSample.join(', ')}`);
    if (inbox.duplicated > 0) problems.push(`${inbox.duplicated} duplicate alert(s), e.g. for ${inbox.duplicatedSample.join(', ')}`);
    if (inbox.forged > 0) problems.push(`${inbox.forged} alert(s) for forged callbacks`);
    if (inbox.foreign > 0) log(`note: ${inbox.foreign} alert(s) in the inbox were not this run's (ignored)`);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    problems.push(error instanceof Error && !(error as { $metadata?: unknown }).$metadata ? error.message : errorMessage(error));
  } finally {
    sqs?.destroy();
    if (stack) {
      log('stopping the own local stack...');
      cleanup = await stopOwnStack(stack);
      if (cleanup.exitCode !== 0)
        problems.push(`the local stack exited with ${cleanup.exitCode ?? 'no code (killed)'}:\n${tail(stack.errors(), 10)}`);
      if (!cleanup.motoGone) problems.push(`moto (pid ${stack.motoPid}) is still running`);
      if (!cleanup.stackGone) problems.push(`the local stack (pid ${stack.stackPid}) is still running`);
      if (!cleanup.portFree) problems.push(`port ${stack.port} is still in use`);
      rmSync(stack.dir, { recursive: true, force: true });
    }
  }
  if (timedOut) problems.unshift(`stopped by --timeout after ${config.timeoutSeconds} s`);

  const result: LoadResult = { pass: problems.length === 0, problems, config, ...partial, ...(cleanup ? { cleanup } : {}), timedOut };
  if (json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else printReport(result);
  const verdict = result.pass
    ? `PASS: ${plan.genuineIds.size} genuine callbacks alerted exactly once, ${plan.duplicates} duplicates and ${plan.forgedIds.size} forged alerted never`
    : `FAIL: ${problems[0]?.split('\n')[0] ?? 'see above'}${problems.length > 1 ? ` (+${problems.length - 1} more)` : ''}`;
  (json ? process.stderr : process.stdout).write(`${verdict}\n`);
  return result.pass ? 0 : 1;
}

function printReport(r: LoadResult): void {
  const out = (line = '') => process.stdout.write(`${line}\n`);
  out();
  if (r.target)
    out(
      `Target:      ${r.target.url} (${r.target.ownStack ? 'own local stack' : 'running local stack'}, moto pid ${r.target.motoPid ?? '?'})`,
    );
  if (r.sent && r.throughput && r.latencyMs) {
    out(
      `Sent:        ${r.sent.callbacks} callbacks in ${r.sent.requests} requests (${r.sent.genuine} new genuine, ${r.sent.duplicates} duplicates, ` +
        `${r.sent.forged} forged), batch ${r.config.batch}, ${r.config.concurrency} connections`,
    );
    out(
      `Throughput:  ${r.throughput.requestsPerSecond} requests/s, ${r.throughput.callbacksPerSecond} callbacks/s (${r.throughput.seconds} s` +
        `${r.sent.throttledSeconds ? `, of which ${r.sent.throttledSeconds} s held back for the inbox check` : ''})`,
    );
    out(
      `Latency:     p50 ${r.latencyMs.p50} ms, p90 ${r.latencyMs.p90} ms, p99 ${r.latencyMs.p99} ms, max ${r.latencyMs.max} ms (mean ${r.latencyMs.mean} ms) per request`,
    );
  }
  if (r.statuses) {
    const extra = r.sent ? `; ${r.sent.parked} parked (202), ${r.sent.resent} re-sent after a 5xx or no answer` : '';
    out(
      `Statuses:    ${Object.entries(r.statuses)
        .map(([status, n]) => `${status} × ${n}`)
        .join(', ')}${extra}`,
    );
  }
  if (r.counts) {
    const e = r.counts.expected;
    out(
      `Counts:      accepted ${r.counts.accepted}/${e.accepted}, duplicates ${r.counts.duplicates}/${e.duplicates}, ` +
        `rejected ${r.counts.rejected + r.counts.rejectedBy401}/${e.rejected}${r.counts.rejectedBy401 ? ` (${r.counts.rejectedBy401} by 401)` : ''}, ignored ${r.counts.ignored}/0  (answered/expected)`,
    );
  }
  if (r.inbox) {
    const i = r.inbox;
    out(
      `Inbox:       ${i.distinct}/${i.expected} genuine ids alerted; lost ${i.missing}, duplicate alerts ${i.duplicated}, forged alerts ${i.forged}` +
        `${i.foreign ? `, not ours ${i.foreign}` : ''}${i.redelivered ? `, read twice ${i.redelivered}` : ''} (read during the load and ${round1(i.drainMs / 1000)} s after it; ${i.endedBy})`,
    );
  }
  const cpuLine = (label: string, phase: ReturnType<typeof cpuBetween> | undefined) => {
    if (!phase) return;
    const part = (name: string, share: CpuShare | undefined) =>
      share ? `${name} ${share.seconds} s (${share.percentOfCore}% of a core)` : undefined;
    const parts = [part('moto', phase.moto), part('local stack', phase.stack), part('load generator', phase.generator)].filter(Boolean);
    if (parts.length > 0) out(`CPU ${label}: ${parts.join(', ')} over ${phase.wallSeconds} s`);
  };
  cpuLine('(send) ', r.cpu?.send);
  cpuLine('(after)', r.cpu?.drain);
  if (r.backlogAtEnd) {
    const printer = r.target?.ownStack ? '' : `${r.backlogAtEnd.stackInbox ?? '?'} alert(s) queued for the local stack's printer, `;
    out(`Backlog:     at the last response, ${printer}${r.backlogAtEnd.checkedInbox ?? '?'} for this check`);
  }
  if (r.cleanup) {
    out(
      `Stopped:     exit ${r.cleanup.exitCode ?? 'killed'}, moto ${r.cleanup.motoGone ? 'gone' : 'STILL RUNNING'}, ` +
        `port ${r.cleanup.portFree ? 'free' : 'STILL IN USE'}`,
    );
  }
  for (const problem of r.problems) out(`  problem: ${problem}`);
}

if (require.main === module) runCommand(USAGE, () => main(process.argv.slice(2)));
