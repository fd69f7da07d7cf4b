/**
 * Starts and stops moto server, the AWS emulator the tests and `npm start` use as "the cloud".
 * The real SDK clients reach it over HTTP through AWS_ENDPOINT_URL; nothing in lambda/ knows about it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export const MOTO_INSTALL_HINT =
  "moto server is required: install it with `pip install 'moto[server]'` (python3 must be on PATH)";

export interface MotoServer {
  readonly endpoint: string;
  readonly port: number;
  readonly pid: number;
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

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
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

export async function startMoto(options: { port?: number; timeoutMs?: number } = {}): Promise<MotoServer> {
  const port = options.port ?? (await freePort());
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn('python3', ['-c', EXIT_WITH_PARENT, '-H', '127.0.0.1', '-p', String(port)], {
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
    if (await isUp(endpoint)) break;
    const failure =
      child.exitCode !== null
        ? new Error(`moto server exited with code ${child.exitCode}.\n${stderr}\n${MOTO_INSTALL_HINT}`)
        : await Promise.race([spawnError, new Promise<undefined>((r) => setTimeout(r, 100, undefined))]);
    if (failure) {
      child.kill('SIGKILL');
      throw new Error(`${failure.message}\n${MOTO_INSTALL_HINT}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`moto server did not answer on ${endpoint} in time.\n${stderr}\n${MOTO_INSTALL_HINT}`);
    }
  }

  return {
    endpoint,
    port,
    pid: child.pid ?? -1,
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
