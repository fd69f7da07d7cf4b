/**
 * `npm run load` as users run it: a real child process that starts its own local stack in-process (startLocalStack:
 * its own moto and port, no state file), sends a small load with duplicates and forged items, checks the inbox, and stops everything.
 * The jest run's own moto (global-setup) is not used: the child's environment has none of its AWS_* settings.
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { withoutLocalSettings } from '../../local/env';
import { canListen } from '../../local/ports';
import { isAlive as isRunning } from '../../local/state';

const ROOT = resolve(__dirname, '../..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

/** A user's shell: none of jest's moto settings, no VOX_* values, no local-stack overrides. */
function childEnv(): NodeJS.ProcessEnv {
  const env = withoutLocalSettings(process.env);
  return { ...env, NO_COLOR: '1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
}

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const children = new Set<ReturnType<typeof spawn>>();

/** Runs tools/load.ts; past `killAfterMs` (a bug: the tool bounds itself with --timeout) it is killed. */
function load(args: string[], killAfterMs: number): Promise<Run> {
  return new Promise((done) => {
    const child = spawn(TSX, ['tools/load.ts', ...args], { cwd: ROOT, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      children.delete(child);
      done({ code, stdout, stderr });
    });
  });
}

const leftovers: number[] = [];

afterAll(() => {
  // Only if a test failed: never leave the processes this suite started behind.
  for (const child of children) child.kill('SIGKILL');
  for (const pid of leftovers) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
});

describe('npm run load', () => {
  it('refuses non-loopback targets and bad fractions before starting anything', async () => {
    const remote = await load(['--url', 'http://192.0.2.10:3000/'], 20_000);
    expect(remote.code).toBe(2);
    expect(remote.stderr).toContain('--url must be an http:// loopback address (127.0.0.1)');
    const fraction = await load(['--duplicates', '1.5'], 20_000);
    expect(fraction.code).toBe(2);
    expect(fraction.stderr).toContain('--duplicates must be a fraction from 0 to below 1');
  });

  it('sends 300 callbacks over 4 connections to its own stack: every genuine id alerts once, nothing else; then stops it all', async () => {
    // 4 connections, the default: moto's ceiling is reached there already (see tools/load.ts), and below it every
    // request should be answered 200 at once, none parked or re-sent.
    const run = await load(['--callbacks', '300', '--concurrency', '4', '--json', '--timeout', '50'], 80_000);
    let result;
    try {
      result = JSON.parse(run.stdout);
    } catch {
      throw new Error(`no JSON result (exit ${run.code})\n--- stdout ---\n${run.stdout}\n--- stderr ---\n${run.stderr}`);
    }
    const { motoPid, stackPid, port } = result.target ?? {};
    for (const pid of [motoPid, stackPid]) if (typeof pid === 'number') leftovers.push(pid);

    expect({ problems: result.problems, code: run.code }).toEqual({ problems: [], code: 0 });
    expect(result.pass).toBe(true);
    expect(run.stderr).toMatch(/^PASS: 240 genuine callbacks alerted exactly once, 30 duplicates and 30 forged alerted never$/m);

    // 300 items: 240 unique genuine, 30 re-sends of answered ids, 30 forged; 30 requests of 10.
    expect(result.sent).toEqual({
      requests: 30,
      callbacks: 300,
      genuine: 240,
      duplicates: 30,
      forged: 30,
      notSent: 0,
      duplicatesDropped: 0,
      parked: 0,
      resent: 0,
      throttledSeconds: expect.any(Number),
    });
    expect(result.statuses).toEqual({ 200: 30 });
    expect(result.counts).toEqual({
      accepted: 240,
      duplicates: 30,
      ignored: 0,
      rejected: 30,
      rejectedBy401: 0,
      expected: { accepted: 240, duplicates: 30, rejected: 30 },
    });

    // The inbox: each genuine id exactly once, no forged id, nothing lost.
    // (A notification read twice, moto's receive race, counts once: `redelivered`, not a duplicate alert.)
    expect(result.inbox).toMatchObject({
      expected: 240,
      received: 240,
      distinct: 240,
      missing: 0,
      duplicated: 0,
      forged: 0,
      foreign: 0,
      endedBy: 'settled',
    });
    expect(result.inbox.redelivered).toBeGreaterThanOrEqual(0);

    // The figures are there and sane.
    expect(result.throughput.requestsPerSecond).toBeGreaterThan(0);
    expect(result.throughput.callbacksPerSecond).toBeGreaterThan(result.throughput.requestsPerSecond);
    expect(result.latencyMs.p50).toBeLessThanOrEqual(result.latencyMs.p99);
    expect(result.latencyMs.p99).toBeLessThanOrEqual(result.latencyMs.max);

    // Nothing left running: its stack (in the load process) stopped within the grace period, moto is gone, the port is free.
    expect(result.target.ownStack).toBe(true);
    expect(result.cleanup).toEqual({ stopped: true, motoGone: true, portFree: true, killed: false });
    expect(typeof motoPid).toBe('number');
    expect(isRunning(motoPid)).toBe(false);
    expect(isRunning(stackPid)).toBe(false);
    expect(await canListen(port)).toBe(true);
  }, 90_000);
});
