/**
 * Starts and stops moto server, the AWS emulator the tests and `npm start` use as "the cloud".
 * The real SDK clients reach it over HTTP through AWS_ENDPOINT_URL; nothing in lambda/ knows about it.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './ports';
import { ROOT } from './state';

/** The commands that install moto on Debian/Ubuntu (no system-wide pip there) and macOS alike, in a git-ignored .venv. */
export const MOTO_INSTALL_COMMANDS = "python3 -m venv .venv && .venv/bin/pip install 'moto[server]'";

export const MOTO_INSTALL_HINT =
  `moto server not found (looked in MOTO_PYTHON, .venv/bin/python, python3): install it with \`${MOTO_INSTALL_COMMANDS}\`` +
  ' (Debian/Ubuntu: apt-get install python3-venv first), or set MOTO_PYTHON to a Python that has it';

/** A Python that can run moto server, and where it was found. */
export interface MotoPython {
  readonly python: string;
  readonly source: 'MOTO_PYTHON' | '.venv' | 'python3';
}

/** moto[server]'s modules, looked up without importing them (importing moto.server takes ~2 s). */
const HAS_MOTO =
  "import importlib.util as u, sys; sys.exit(0 if all(u.find_spec(m) for m in ('moto', 'flask', 'flask_cors', 'werkzeug')) else 1)";

/** The one error a missing moto gives, whatever the tool: one line, the commands that work. */
export class MotoMissingError extends Error {
  override readonly name = 'MotoMissingError';
}

function hasMoto(python: string): Promise<boolean> {
  return new Promise((done) => {
    execFile(python, ['-c', HAS_MOTO], { timeout: 1800, windowsHide: true }, (error) => done(error === null));
  });
}

/**
 * Finds moto: MOTO_PYTHON if set (and only it: a wrong setting is named, not worked around), else the
 * project's .venv, else python3 from PATH. The candidates are probed at once, so the answer, or a
 * MotoMissingError carrying MOTO_INSTALL_HINT, comes within 2 seconds.
 */
export async function findMotoPython(env: NodeJS.ProcessEnv = process.env, root = ROOT): Promise<MotoPython> {
  if (env.MOTO_PYTHON) {
    if (await hasMoto(env.MOTO_PYTHON)) return { python: env.MOTO_PYTHON, source: 'MOTO_PYTHON' };
    throw new MotoMissingError(`MOTO_PYTHON=${env.MOTO_PYTHON} cannot run moto server; ${MOTO_INSTALL_HINT}`);
  }
  const venv = join(root, '.venv', 'bin', 'python');
  const candidates: MotoPython[] = [
    ...(existsSync(venv) ? [{ python: venv, source: '.venv' } as const] : []),
    { python: 'python3', source: 'python3' },
  ];
  const found = await Promise.all(candidates.map((candidate) => hasMoto(candidate.python)));
  const index = found.indexOf(true);
  if (index < 0) throw new MotoMissingError(MOTO_INSTALL_HINT);
  return candidates[index];
}

export interface MotoServer {
  readonly endpoint: string;
  readonly port: number;
  readonly pid: number;
  /** The Python running it (it has boto3 too: moto depends on it). */
  readonly python: string;
  stop(): Promise<void>;
}

/** Environment that points the AWS SDK (and the AWS CLI) at a moto endpoint with throwaway credentials. */
export function motoEnv(endpoint: string, region = 'us-east-1'): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
  };
}

async function isUp(endpoint: string): Promise<boolean> {
  try {
    const res = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * `python3 -m moto.server`, plus a thread that ends moto when its stdin closes: the parent died (a killed
 * test runner, a second Ctrl-C, a SIGKILLed `npm start`), so nobody is left to stop it. No orphans.
 */
const EXIT_WITH_PARENT = [
  'import os, runpy, sys, threading',
  'threading.Thread(target=lambda: (sys.stdin.buffer.read(), os._exit(0)), daemon=True).start()',
  "sys.argv[0] = 'moto.server'",
  "runpy.run_module('moto.server', run_name='__main__', alter_sys=True)",
].join('\n');

/**
 * Starts moto server on a free (or the given) port and resolves once it answers. Throws MotoMissingError
 * (within 2 s) when no Python with moto is found; rejects with an AbortError as soon as `signal` aborts
 * (Ctrl-C during start-up), killing the half-started server.
 */
export async function startMoto(
  options: { port?: number; timeoutMs?: number; signal?: AbortSignal; python?: string } = {},
): Promise<MotoServer> {
  const python = options.python ?? (await findMotoPython()).python;
  options.signal?.throwIfAborted();
  const port = options.port ?? (await freePort());
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(python, ['-c', EXIT_WITH_PARENT, '-H', '127.0.0.1', '-p', String(port)], {
    // stdin stays open as the lifeline: it reaches EOF however this process ends, even on SIGKILL.
    stdio: ['pipe', 'ignore', 'pipe'],
    env: { ...process.env, ...motoEnv(endpoint) },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));

  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (options.signal?.aborted) {
      child.kill('SIGKILL');
      options.signal.throwIfAborted();
    }
    if (await isUp(endpoint)) break;
    // A signal counts as an exit too: a Ctrl-C in the terminal reaches moto as well (exitCode stays null then).
    const failure =
      child.exitCode !== null || child.signalCode !== null
        ? new Error(`moto server exited (${child.exitCode ?? child.signalCode}).\n${stderr}`)
        : await Promise.race([spawnError, new Promise<undefined>((r) => setTimeout(r, 100, undefined))]);
    if (failure) {
      child.kill('SIGKILL');
      throw new Error(failure.message);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`moto server did not answer on ${endpoint} in time.\n${stderr}`);
    }
  }

  return {
    endpoint,
    port,
    pid: child.pid ?? -1,
    python,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const done = exited(child);
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await done;
      clearTimeout(timer);
    },
  };
}
