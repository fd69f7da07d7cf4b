/**
 * Balance confirmation on and off (issue 14), in its own process (run by bench.ts with tsx): the handler from
 * source loaded twice, once with VOXIMPLANT_API_URL pointing at the loopback stand-in (local/voximplant-standin.ts,
 * real HTTP and fetch) and once without, both with the SDK answered in-process by the stub (bench/stub.ts).
 * One signed min_balance callback per request; the two take turns, so noise hits both alike.
 *
 * Usage: tsx bench/confirmation.ts <result.json> [quick]
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { DEFAULTS } from '../lambda/config';
import { ENV } from '../lambda/contract';
import { buildCallback, envelope } from '../local/callbacks';
import { VoximplantStandin } from '../local/voximplant-standin';
import { summarize, type Summary } from './stats';
import { installStub } from './stub';
import { httpEvent as webhookEvent, VOX as BENCH_VOX } from '../local/fixtures';
import { BENCH_CONTEXT } from './support';

type Handler = typeof import('../lambda/handler').handler;

export interface ConfirmationResult {
  /** The first invocation of each handler (SSM read; with confirmation on, also the client's lazy load and Node's fetch), ms. */
  readonly firstInvocationMs: { readonly off: number; readonly on: number };
  /** Warm 1-callback min_balance invocations, microseconds. */
  readonly warmUs: { readonly off: Summary; readonly on: Summary };
  /** GetAccountInfo requests the stand-in saw per warm invocation. */
  readonly apiCallsPerInvocation: { readonly off: number; readonly on: number };
}

const LAMBDA_DIR = join(__dirname, '..', 'lambda');
const load = createRequire(__filename);

/** A fresh copy of the handler module (and the lambda/ modules it loads), reading the environment as it is now. */
function freshHandler(apiUrl: string | undefined): Handler {
  for (const key of Object.keys(load.cache)) if (key.startsWith(LAMBDA_DIR)) delete load.cache[key];
  if (apiUrl === undefined) delete process.env[ENV.voximplantApiUrl];
  else process.env[ENV.voximplantApiUrl] = apiUrl;
  return (load('../lambda/handler') as { handler: Handler }).handler;
}

async function main(): Promise<void> {
  const [outFile, mode] = process.argv.slice(2);
  if (!outFile) throw new Error('usage: confirmation.ts <result.json> [quick]');
  const quick = mode === 'quick';
  const stub = installStub(BENCH_VOX, process.env[ENV.parameterPrefix] || DEFAULTS.parameterPrefix);
  const standin = await VoximplantStandin.start({ account: { accountId: BENCH_VOX.accountId, apiKey: BENCH_VOX.apiKey, balance: 4.2 } });
  try {
    const handlers = { off: freshHandler(undefined), on: freshHandler(standin.url) };
    let nextId = 7_000_000;
    const invoke = async (variant: 'off' | 'on') => {
      const event = webhookEvent(envelope(buildCallback(BENCH_VOX, { callbackId: nextId++ })));
      const start = process.hrtime.bigint();
      const response = await handlers[variant](event, BENCH_CONTEXT);
      const ns = Number(process.hrtime.bigint() - start);
      if (response.statusCode !== 200) throw new Error(`handler (${variant}) answered ${response.statusCode}: ${response.body}`);
      return ns;
    };
    const apiCalls = () => standin.requests.filter((r) => r.command === 'GetAccountInfo').length;

    const firstInvocationMs = { off: (await invoke('off')) / 1e6, on: (await invoke('on')) / 1e6 };
    if (apiCalls() !== 1) throw new Error(`expected one GetAccountInfo after the first confirmed invocation, saw ${apiCalls()}`);

    const warmup = quick ? 100 : 300;
    const rounds = quick ? 300 : 1500;
    for (let i = 0; i < warmup; i++) for (const variant of ['off', 'on'] as const) await invoke(variant);
    const latencies = { off: [] as number[], on: [] as number[] };
    const calls = { off: 0, on: 0 };
    for (let round = 0; round < rounds; round++) {
      for (const variant of round % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
        const before = apiCalls();
        latencies[variant].push((await invoke(variant)) / 1000);
        calls[variant] += apiCalls() - before;
      }
    }
    // Every confirmed alert must really have been confirmed, or the "on" figures measure a failure path.
    if (calls.on !== rounds) throw new Error(`expected ${rounds} GetAccountInfo calls, saw ${calls.on}`);
    const result: ConfirmationResult = {
      firstInvocationMs,
      warmUs: { off: summarize(latencies.off), on: summarize(latencies.on) },
      apiCallsPerInvocation: { off: calls.off / rounds, on: calls.on / rounds },
    };
    writeFileSync(outFile, JSON.stringify(result, null, 2));
  } finally {
    stub.restore();
    await standin.close();
  }
}

main().then(
  // The handlers' clients keep sockets open: exit once the result is written.
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
