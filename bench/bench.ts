/**
 * `npm run bench` (issue #6): one run, one table, also written to bench-results/bench.json.
 *
 *   1. Deploy bundle: the exact artifact `cdk synth` stages (synthesized afresh on every run, into a private
 *      cdk.out), minified and gzip bytes, next to the FLOOR (a bundle that only imports and constructs the
 *      three SDK clients, built two ways) and a like-for-like floor (four clients, env-only credentials).
 *   2. Cold-start proxy: fresh `node` processes importing each variant, interleaved run by run.
 *   3. Warm path: the handler from source with the SDK answered in-process (bench/warm.ts), and the
 *      core's throughput next to a bare md5 loop.
 *   4. Calls per invocation, counted by the same stub.
 *   5. End to end on moto (bench/e2e.ts): callback → alert visible in the SQS inbox.
 *   6. Cost model per million callbacks.
 *
 * Targets are reported (PASS/MISS), never asserted. `--quick` runs fewer iterations; `--keep` keeps the
 * builds and profiles in bench-results/tmp-<pid>/.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { ENV_CREDENTIALS_MODULE, ESM_REQUIRE_BANNER } from '../infra/stack';
import { bundlePath, readTemplate, receiverFunction, resolveEnvironment } from '../local/cdk-out';
import { ENV } from '../lambda/contract';
import { parseCommandLine } from '../tools/cli';
import type { E2eResult } from './e2e';
import { attribute, byBundle, packageOf, top, type CpuProfile } from './profile';
import { percentile, prng, shuffle, summarize, type Summary } from './stats';
import type { WarmResult } from './warm';

const ROOT = resolve(__dirname, '..');
const RESULTS = join(ROOT, 'bench-results');
const USAGE = `Usage: npm run bench [-- --quick] [-- --keep]

Measures the receiver (bundle, cold start, warm path, calls, end to end, cost) and writes
bench-results/bench.json. Synthesizes first, so it takes ~3 minutes (--quick: ~65 s). Asserts nothing.

Options:
  --quick     fewer iterations
  --keep      keep the synth output, esbuild outputs and CPU profiles in bench-results/tmp-<pid>/
  -h, --help  this text`;
const args = parseCommandLine(process.argv.slice(2), USAGE, {
  quick: { type: 'boolean', default: false },
  keep: { type: 'boolean', default: false },
});
const QUICK = args.quick;
const KEEP = args.keep;
const WORK = join(RESULTS, `tmp-${process.pid}`);

const ITERATIONS = {
  coldRounds: QUICK ? 6 : 21,
  coldProfiles: QUICK ? 2 : 5,
  e2eCallbacks: QUICK ? 15 : 50,
};

/** Prices (USD, us-east-1) used by the cost model, printed with it. */
const PRICES = {
  region: 'us-east-1',
  source:
    'list prices given in issue #6 (us-east-1; DynamoDB on-demand after the 2024-11-01 price cut; Lambda INIT billed since 2025-08-01)',
  httpApiPerMillionRequests: 1.0,
  lambdaArmPerGbSecond: 0.0000133334,
  lambdaPerMillionRequests: 0.2,
  snsPublishPerMillion64KbChunks: 0.5,
  snsEmailPer100k: 2.0,
  dynamoDbPerMillionWru: 0.625,
  /** Not in the issue's list: CloudWatch Logs Standard ingestion, us-east-1. */
  logsIngestionPerGb: 0.5,
} as const;
/** Lambda's START/END/REPORT lines per invocation (not measured here), bytes. */
const PLATFORM_LOG_BYTES = 300;

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

// ---------------------------------------------------------------------------------------------------
// 1. The deploy bundle and the variants

interface FunctionFacts {
  readonly bundle: string;
  readonly runtime: string;
  readonly memoryMb: number;
  readonly architecture: string;
  /** The function's environment with the table and topic replaced by fake names. */
  readonly environment: Record<string, string>;
}

/** Fake names for the stack's own resources: what a Ref to each resolves to in the function's environment. */
const FAKE_RESOURCES: Record<string, string> = {
  'AWS::DynamoDB::Table': 'bench-dedupe',
  'AWS::SNS::Topic': 'arn:aws:sns:us-east-1:123456789012:bench-alerts',
  'AWS::SQS::Queue': 'https://sqs.us-east-1.amazonaws.com/123456789012/bench-retry',
};

/**
 * Every resource name the receiver reads from lambda/contract.ts ENV, faked, so the source (which may be
 * ahead of cdk.out) and every bundle find their configuration however the template reads.
 */
function fakeResourceEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of Object.values(ENV) as string[]) {
    if (/TABLE/.test(name)) env[name] = FAKE_RESOURCES['AWS::DynamoDB::Table'];
    else if (/TOPIC/.test(name)) env[name] = FAKE_RESOURCES['AWS::SNS::Topic'];
    else if (/QUEUE/.test(name)) env[name] = FAKE_RESOURCES['AWS::SQS::Queue'];
  }
  return env;
}

/**
 * `npx cdk synth --quiet` on every run, so the bundle measured is the one the current lambda/, infra/,
 * cdk.json and node_modules produce (an mtime check would miss a changed dependency or context value).
 * It writes to a private output directory: the CDK CLI locks its output directory, so synthesizing into the
 * project's cdk.out while another `cdk synth` (e.g. `npm test`) runs would fail one of the two.
 */
function synthesize(outDir: string): void {
  log(`synthesizing: npx cdk synth --quiet --output ${relative(ROOT, outDir)}`);
  const synth = spawnSync('npx', ['cdk', 'synth', '--quiet', '--output', outDir], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  if (synth.status !== 0) throw new Error(`\`npx cdk synth --quiet\` failed (exit ${synth.status}):\n${synth.stderr?.toString() ?? ''}`);
}

function deployedFunction(cdkOut: string): FunctionFacts {
  synthesize(cdkOut);
  const template = readTemplate(cdkOut);
  const { resource } = receiverFunction(template);
  const properties = resource.Properties ?? {};
  let environment: Record<string, string> = fakeResourceEnv();
  try {
    environment = { ...environment, ...resolveEnvironment(template, resource, FAKE_RESOURCES) };
  } catch (error) {
    log(`cannot resolve the function's environment from the template (${(error as Error).message}): using fake names only`);
  }
  return {
    bundle: bundlePath(resource, cdkOut),
    runtime: String(properties.Runtime ?? 'nodejs24.x'),
    memoryMb: Number(properties.MemorySize ?? 128),
    architecture: String(properties.Architectures?.[0] ?? 'x86_64'),
    environment,
  };
}

interface Built {
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly metafile?: esbuild.Metafile;
}

function sizes(file: string): { bytes: number; gzipBytes: number } {
  const content = readFileSync(file);
  return { bytes: content.length, gzipBytes: gzipSync(content, { level: 9 }).length };
}

async function build(name: string, options: esbuild.BuildOptions): Promise<Built> {
  const outfile = join(WORK, name, options.format === 'esm' ? 'index.mjs' : 'index.js');
  const result = await esbuild.build({ ...options, outfile, metafile: true, logLevel: 'error', absWorkingDir: ROOT });
  return { file: outfile, ...sizes(outfile), metafile: result.metafile };
}

/** Bytes in the output per package (or project file group). */
function bytesByPackage(metafile: esbuild.Metafile): Map<string, number> {
  const output = Object.values(metafile.outputs).find((o) => o.entryPoint !== undefined)!;
  const totals = new Map<string, number>();
  for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
    const key = packageOf(path) ?? (path.startsWith('lambda/') ? `receiver: ${path}` : path);
    totals.set(key, (totals.get(key) ?? 0) + bytesInOutput);
  }
  return totals;
}

// ---------------------------------------------------------------------------------------------------
// 2. Cold-start proxy

interface ColdVariant {
  readonly key: string;
  readonly label: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
}

function importArgs(file: string): string[] {
  // `import()` like Lambda's runtime; an empty namespace (nothing exported) counts as a failure.
  const url = pathToFileURL(file).href;
  return ['-e', `import(${JSON.stringify(url)}).then((m) => { if (Object.keys(m).length === 0) process.exit(3); })`];
}

function runOnce(variant: ColdVariant, extraArgs: readonly string[] = []): { ms: number; status: number | null; stderr: string } {
  const start = performance.now();
  const child = spawnSync(process.execPath, [...extraArgs, ...variant.args], {
    env: variant.env,
    cwd: WORK,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const ms = performance.now() - start;
  return { ms, status: child.status, stderr: child.stderr?.toString() ?? '' };
}

/** Resident memory right after the import (one extra run, untimed): what the 256 MB has to hold. */
function rssAfterImport(variant: ColdVariant): number {
  const [flag, code] = variant.args;
  const child = spawnSync(
    process.execPath,
    [flag, `${code}.then(() => process.stderr.write('RSS ' + process.memoryUsage().rss + '\\n'))`],
    {
      env: variant.env,
      cwd: WORK,
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const match = /RSS (\d+)/.exec(child.stderr?.toString() ?? '');
  return match ? Number(match[1]) : Number.NaN;
}

function coldStarts(variants: readonly ColdVariant[], rounds: number): Map<string, number[]> {
  const noNetwork = join(__dirname, 'fixtures', 'no-network.cjs');
  for (const variant of variants) {
    const check = runOnce(variant, ['--require', noNetwork]); // fails on any socket or DNS lookup at import
    if (check.status !== 0) throw new Error(`cold variant ${variant.key} failed (exit ${check.status}):\n${check.stderr}`);
  }
  const times = new Map<string, number[]>(variants.map((v) => [v.key, []]));
  const random = prng(20_251_129);
  for (let round = -1; round < rounds; round++) {
    for (const variant of shuffle(variants, random)) {
      const run = runOnce(variant);
      if (run.status !== 0) throw new Error(`cold variant ${variant.key} failed (exit ${run.status}):\n${run.stderr}`);
      if (round >= 0) times.get(variant.key)!.push(run.ms); // round -1 warms the file cache
    }
  }
  return times;
}

function profileCold(variant: ColdVariant, bundle: string, runs: number): ReturnType<typeof top> {
  const dir = join(WORK, 'cpu-prof');
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < runs; i++) {
    const run = runOnce(variant, ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '100']);
    if (run.status !== 0) throw new Error(`profiling ${variant.key} failed:\n${run.stderr}`);
  }
  const profiles = readdirSync(dir).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as CpuProfile);
  const totals = attribute(profiles, byBundle(bundle));
  totals.delete('(idle)');
  return top(totals, profiles.length, 10);
}

// ---------------------------------------------------------------------------------------------------
// Child processes (warm path, end to end)

function runChild(script: string, childArgs: readonly string[], env: NodeJS.ProcessEnv): Promise<{ stdoutBytes: number }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, script), ...childArgs], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdoutBytes = 0;
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdoutBytes += chunk.length)); // the handler's logs: counted, dropped
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-8000)));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolvePromise({ stdoutBytes }) : reject(new Error(`${script} exited with ${code}:\n${stderr}`)),
    );
  });
}

// ---------------------------------------------------------------------------------------------------
// Formatting

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const bytes = (n: number) => `${int(n)} B`;
const signedBytes = (n: number) => `${n < 0 ? '−' : '+'}${bytes(Math.abs(n))}`;
const ms = (n: number) => `${n.toFixed(1)} ms`;
const us = (n: number) => `${int(n)} µs`;
const x = (n: number) => `${n.toFixed(2)}×`;
/** Ratios that are compared with a target get one more digit, so 1.152 does not print as a passing 1.15. */
const xt = (n: number) => `${n.toFixed(3)}×`;
const usd = (n: number) => (n >= 0.1 ? `$${n.toFixed(2)}` : `$${n.toFixed(4)}`);
const pct = (n: number) => `${(n * 100).toFixed(1)}%`;
const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');

interface Row {
  section: string;
  measure: string;
  value: string;
  ratios: string;
  target: string;
  result: string;
}

function renderMarkdown(rows: readonly Row[]): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|').trim();
  const out = ['| section | measure | value | ratios / notes | target | result |', '|---|---|---|---|---|---|'];
  let section = '';
  for (const row of rows) {
    out.push(
      `| ${row.section === section ? '' : row.section} | ${cell(row.measure)} | ${cell(row.value)} | ${cell(row.ratios)} | ${cell(row.target)} | ${row.result ? `**${row.result}**` : ''} |`,
    );
    section = row.section;
  }
  return out.join('\n');
}

function renderTable(rows: readonly Row[]): string {
  const headers: Row = {
    section: 'section',
    measure: 'measure',
    value: 'value',
    ratios: 'ratios / notes',
    target: 'target',
    result: 'result',
  };
  const keys = Object.keys(headers) as Array<keyof Row>;
  const widths = keys.map((k) => Math.max(...[headers, ...rows].map((r) => r[k].length)));
  const line = (r: Row) =>
    keys
      .map((k, i) => r[k].padEnd(widths[i]))
      .join(' | ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('-|-');
  const out = [line(headers), rule];
  let section = '';
  for (const row of rows) {
    out.push(line(row.section === section ? { ...row, section: '' } : row));
    section = row.section;
  }
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = performance.now();
  mkdirSync(WORK, { recursive: true });
  const home = join(WORK, 'home'); // an empty HOME: no ~/.aws files are read by any variant
  mkdirSync(home, { recursive: true });

  // 1. The deploy bundle, synthesized afresh into this run's private cdk.out, and its variants.
  const fn = deployedFunction(join(WORK, 'cdk.out'));
  const deployFile = fn.bundle;
  const deploy = {
    file: deployFile,
    ...sizes(deployFile),
    mapBytes: existsSync(`${deployFile}.map`) ? readFileSync(`${deployFile}.map`).length : 0,
  };
  log(`deploy bundle: ${relative(ROOT, fn.bundle)} (${fn.runtime}, ${fn.architecture}, ${fn.memoryMb} MB)`);

  const target = `node${/nodejs(\d+)/.exec(fn.runtime)?.[1] ?? '20'}`;
  // ESM, module-first, createRequire banner, minified, SDK bundled: the stack's options with the SDK's own
  // (full default) credential chain, which is what the issue's floor and the other plain variants use.
  const esmOptions: esbuild.BuildOptions = {
    bundle: true,
    platform: 'node',
    target,
    format: 'esm',
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    minify: true,
  };
  // The env-only credential chain, exactly as infra/stack.ts passes it to esbuild (--alias, relative to the root).
  const envCredentials = { '@aws-sdk/credential-provider-node': `./${ENV_CREDENTIALS_MODULE}` };
  // The stack's bundling options (infra/stack.ts): the above plus the env-only credential chain.
  const stackOptions: esbuild.BuildOptions = { ...esmOptions, alias: envCredentials };
  const esbuildNodeDefaults: esbuild.BuildOptions = { bundle: true, platform: 'node', minify: true }; // CJS, main first
  const fixture = (name: string) => `bench/fixtures/${name}`;
  log('building variants with esbuild');
  const built = {
    handlerRebuild: await build('handler-rebuild', {
      ...stackOptions,
      entryPoints: ['lambda/handler.ts'],
      sourcemap: true,
      sourcesContent: false,
    }),
    sdkExternal: await build('handler-sdk-external', { ...stackOptions, entryPoints: ['lambda/handler.ts'], external: ['@aws-sdk/*'] }),
    express: await build('express', { ...esbuildNodeDefaults, entryPoints: [fixture('express-receiver.ts')] }),
    floorCjs: await build('floor-cjs', { ...esbuildNodeDefaults, entryPoints: [fixture('floor.ts')] }),
    floorEsm: await build('floor-esm', { ...esmOptions, entryPoints: [fixture('floor.ts')] }),
    // What the deploy bundle was before the alias: the same source, the SDK's full default credential chain.
    handlerFullChain: await build('handler-full-chain', {
      ...esmOptions,
      entryPoints: ['lambda/handler.ts'],
      sourcemap: true,
      sourcesContent: false,
    }),
    floorEnvCredentials: await build('floor-env-credentials', { ...stackOptions, entryPoints: [fixture('floor.ts')] }),
    floorImportOnly: await build('floor-import-only', { ...esmOptions, entryPoints: [fixture('floor-import-only.ts')] }),
    floorWithSqs: await build('floor-with-sqs', { ...esmOptions, entryPoints: [fixture('floor-with-sqs.ts')] }),
    // Like-for-like: the four clients the handler bundles, built exactly as the handler is (env-only chain).
    floorLikeForLike: await build('floor-like-for-like', { ...stackOptions, entryPoints: [fixture('floor-with-sqs.ts')] }),
    // The core (parse, verify, render) as the stack builds it, for the warm section's throughput.
    core: await build('core', { ...stackOptions, entryPoints: [fixture('core.ts')] }),
  };
  const floorBytes = Math.min(built.floorCjs.bytes, built.floorEsm.bytes);
  const floorGzip = Math.min(built.floorCjs.gzipBytes, built.floorEsm.gzipBytes);
  const floorBuildName = built.floorEsm.bytes <= built.floorCjs.bytes ? 'ESM' : 'CJS';

  // 2. Cold-start proxy.
  const lambdaEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    LANG: 'C.UTF-8',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_SESSION_TOKEN: 'bench-session-token',
    AWS_LAMBDA_FUNCTION_NAME: 'VoximplantAlerts-Receiver',
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    // Lambda runs nodejs24.x; this machine runs Node 20, for which the SDK would print a support warning.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...fn.environment,
  };
  const nodeOptions = lambdaEnv.NODE_OPTIONS ?? '';
  delete lambdaEnv.NODE_OPTIONS;
  const withoutOptions = { ...lambdaEnv };
  const asDeployed = nodeOptions ? { ...lambdaEnv, NODE_OPTIONS: nodeOptions } : lambdaEnv;
  const coldVariants: ColdVariant[] = [
    { key: 'bare', label: 'bare `node -e 0`', args: ['-e', '0'], env: withoutOptions },
    {
      key: 'deploy',
      label: `deploy bundle${nodeOptions ? ` (NODE_OPTIONS=${nodeOptions})` : ''}`,
      args: importArgs(deploy.file),
      env: asDeployed,
    },
    {
      key: 'sdkExternal',
      label: '(b) @aws-sdk/* external, SDK from node_modules',
      args: importArgs(built.sdkExternal.file),
      env: withoutOptions,
    },
    { key: 'express', label: '(c) Express + express.json() + md5', args: importArgs(built.express.file), env: withoutOptions },
    { key: 'floorCjs', label: 'floor: 3 clients, esbuild node defaults (CJS)', args: importArgs(built.floorCjs.file), env: withoutOptions },
    { key: 'floorEsm', label: 'floor: 3 clients, ESM module-first + banner', args: importArgs(built.floorEsm.file), env: withoutOptions },
    {
      key: 'deployNoSourceMaps',
      label: 'extra: deploy bundle without --enable-source-maps',
      args: importArgs(deploy.file),
      env: withoutOptions,
    },
    // As deployed (NODE_OPTIONS and its own source map), so the difference to the deploy row is the chain alone.
    {
      key: 'handlerFullChain',
      label: `extra: handler with the SDK's full default credential chain${nodeOptions ? ` (NODE_OPTIONS=${nodeOptions})` : ''}`,
      args: importArgs(built.handlerFullChain.file),
      env: asDeployed,
    },
    {
      key: 'floorEnvCredentials',
      label: 'extra: floor, env-only credentials (3 clients)',
      args: importArgs(built.floorEnvCredentials.file),
      env: withoutOptions,
    },
    {
      key: 'floorImportOnly',
      label: 'extra: floor imported, clients not constructed',
      args: importArgs(built.floorImportOnly.file),
      env: withoutOptions,
    },
    {
      key: 'floorWithSqs',
      label: 'extra: floor + SQS client (4 clients, ESM, SQS lazy)',
      args: importArgs(built.floorWithSqs.file),
      env: withoutOptions,
    },
    {
      key: 'floorLikeForLike',
      label: 'extra: like-for-like floor (4 clients, env-only credentials)',
      args: importArgs(built.floorLikeForLike.file),
      env: withoutOptions,
    },
  ];
  log(`cold-start proxy: ${coldVariants.length} variants × ${ITERATIONS.coldRounds} interleaved rounds`);
  const coldTimes = coldStarts(coldVariants, ITERATIONS.coldRounds);
  const cold = Object.fromEntries([...coldTimes].map(([key, values]) => [key, summarize(values)])) as Record<string, Summary>;
  const rss = { deploy: rssAfterImport(coldVariants[1]), floor: rssAfterImport(coldVariants.find((v) => v.key === 'floorEsm')!) };
  log('profiling the deploy bundle cold import (--cpu-prof)');
  const coldProfile = profileCold(coldVariants[1], deploy.file, ITERATIONS.coldProfiles);

  // 3 + 4. Warm path and calls per invocation.
  log('warm path (bench/warm.ts)');
  const warmFile = join(WORK, 'warm.json');
  const warmEnv: NodeJS.ProcessEnv = { ...withoutOptions };
  await runChild('warm.ts', [warmFile, built.core.file, ...(QUICK ? ['quick'] : [])], warmEnv);
  const warm = JSON.parse(readFileSync(warmFile, 'utf8')) as WarmResult;

  // 5. End to end on moto.
  log(`end to end on moto (bench/e2e.ts, ${ITERATIONS.e2eCallbacks} callbacks)`);
  const e2eFile = join(WORK, 'e2e.json');
  let e2e: E2eResult | undefined;
  let e2eError: string | undefined;
  try {
    await runChild('e2e.ts', [e2eFile, String(ITERATIONS.e2eCallbacks), deploy.file], {
      PATH: process.env.PATH,
      HOME: home,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
    e2e = JSON.parse(readFileSync(e2eFile, 'utf8')) as E2eResult;
  } catch (error) {
    e2eError = (error as Error).message.split('\n').slice(0, 3).join(' ');
    log(`end to end skipped: ${e2eError}`);
  }

  // ---------------------------------------------------------------------------------------------------
  // The table.
  const rows: Row[] = [];
  const add = (section: string, measure: string, value: string, ratios = '', targetText = '', result = '') =>
    rows.push({ section, measure, value, ratios, target: targetText, result });

  // 1. Bundle
  const bundleRatio = deploy.bytes / floorBytes;
  const likeForLike = built.floorLikeForLike;
  const bundleRatioLikeForLike = deploy.bytes / likeForLike.bytes;
  add(
    '1 bundle',
    'deploy bundle (synthesized asset index.mjs)',
    `${bytes(deploy.bytes)} · gzip ${bytes(deploy.gzipBytes)}`,
    `${xt(bundleRatio)} floor · gzip ${x(deploy.gzipBytes / floorGzip)}; + source map ${bytes(deploy.mapBytes)} in the same asset`,
    '≤1.15× floor',
    verdict(bundleRatio <= 1.15),
  );
  add(
    '1 bundle',
    '  same bundle, against the like-for-like floor',
    `${xt(bundleRatioLikeForLike)} like-for-like`,
    `gzip ${x(deploy.gzipBytes / likeForLike.gzipBytes)}; 4 clients incl. SQS, env-only credentials: informational, the target uses the issue's floor`,
  );
  add(
    '1 bundle',
    `floor: 3 clients, ESM module-first${floorBuildName === 'ESM' ? ' (floor)' : ''}`,
    `${bytes(built.floorEsm.bytes)} · gzip ${bytes(built.floorEsm.gzipBytes)}`,
  );
  add(
    '1 bundle',
    `floor: 3 clients, esbuild node defaults (CJS)${floorBuildName === 'CJS' ? ' (floor)' : ''}`,
    `${bytes(built.floorCjs.bytes)} · gzip ${bytes(built.floorCjs.gzipBytes)}`,
    `${x(built.floorCjs.bytes / built.floorEsm.bytes)} the ESM floor`,
  );
  add('1 bundle', '(b) handler, @aws-sdk/* external', `${bytes(built.sdkExternal.bytes)} + SDK from node_modules`);
  add('1 bundle', '(c) Express receiver (bundled, CJS)', `${bytes(built.express.bytes)} · gzip ${bytes(built.express.gzipBytes)}`);
  const chainSaving = built.handlerFullChain.bytes - built.handlerRebuild.bytes;
  add(
    '1 bundle',
    "extra: handler with the SDK's full default credential chain",
    `${bytes(built.handlerFullChain.bytes)} · gzip ${bytes(built.handlerFullChain.gzipBytes)}`,
    `${xt(built.handlerFullChain.bytes / floorBytes)} floor (the deploy bundle before the alias); env-only saves ${bytes(chainSaving)} (${pct(chainSaving / built.handlerFullChain.bytes)})`,
  );
  add(
    '1 bundle',
    'extra: floor, env-only credentials (3 clients)',
    `${bytes(built.floorEnvCredentials.bytes)} · gzip ${bytes(built.floorEnvCredentials.gzipBytes)}`,
    `${x(built.floorEnvCredentials.bytes / floorBytes)} floor; deploy bundle = ${xt(deploy.bytes / built.floorEnvCredentials.bytes)} this`,
  );
  add(
    '1 bundle',
    'extra: floor + SQS client (4 clients, ESM, SQS lazy)',
    `${bytes(built.floorWithSqs.bytes)} · gzip ${bytes(built.floorWithSqs.gzipBytes)}`,
    `${x(built.floorWithSqs.bytes / floorBytes)} floor; deploy bundle = ${xt(deploy.bytes / built.floorWithSqs.bytes)} this`,
  );
  add(
    '1 bundle',
    'extra: like-for-like floor (4 clients, env-only credentials)',
    `${bytes(likeForLike.bytes)} · gzip ${bytes(likeForLike.gzipBytes)}`,
    `${x(likeForLike.bytes / floorBytes)} floor; SQS client built on first use, like the handler's`,
  );
  const rebuildDelta = built.handlerRebuild.bytes - deploy.bytes;
  const stale = Math.abs(rebuildDelta) > 64;
  add(
    '1 bundle',
    'check: lambda/ source rebuilt with the stack options',
    `${bytes(built.handlerRebuild.bytes)} · gzip ${bytes(built.handlerRebuild.gzipBytes)}`,
    stale
      ? `${rebuildDelta >= 0 ? '+' : ''}${int(rebuildDelta)} B vs the synthesized asset: the bench's esbuild options differ from infra/stack.ts; source = ${xt(built.handlerRebuild.bytes / floorBytes)} floor`
      : `${rebuildDelta >= 0 ? '+' : ''}${rebuildDelta} B vs the synthesized asset: same options as infra/stack.ts`,
    stale ? '≤1.15× floor' : '',
    stale ? verdict(built.handlerRebuild.bytes / floorBytes <= 1.15) : '',
  );

  // 2. Cold
  const bare = cold.bare.p50;
  const floorColdKey = cold.floorEsm.p50 <= cold.floorCjs.p50 ? 'floorEsm' : 'floorCjs';
  const floorCold = cold[floorColdKey].p50;
  const bCold = cold.sdkExternal.p50;
  for (const variant of coldVariants) {
    const s = cold[variant.key];
    const value = `p50 ${ms(s.p50)} · p90 ${ms(s.p90)}`;
    if (variant.key === 'bare') {
      add('2 cold', variant.label, value, `n=${s.n} per variant, interleaved`);
      continue;
    }
    const net = s.p50 - bare;
    const ratios = `${x(s.p50 / bare)} bare · ${variant.key === 'deploy' ? xt(s.p50 / floorCold) : x(s.p50 / floorCold)} floor · ${x(s.p50 / bCold)} (b) · net of node ${ms(net)} = ${x(net / (floorCold - bare))} floor net`;
    if (variant.key === 'deploy') {
      add('2 cold', variant.label, value, ratios, '≤1.25× floor', verdict(s.p50 / floorCold <= 1.25));
      add('2 cold', '  same runs, against (b)', `${xt(s.p50 / bCold)} (b)`, '', '≤0.50× (b)', verdict(s.p50 / bCold <= 0.5));
      add(
        '2 cold',
        '  same runs, against the like-for-like floor',
        `${xt(s.p50 / cold.floorLikeForLike.p50)} like-for-like`,
        `net of node ${x(net / (cold.floorLikeForLike.p50 - bare))}; without source maps ${xt(cold.deployNoSourceMaps.p50 / cold.floorLikeForLike.p50)}; informational`,
      );
    } else if (variant.key === 'handlerFullChain') {
      add(
        '2 cold',
        variant.label,
        value,
        `${ratios}; the deploy bundle is ${ms(s.p50 - cold.deploy.p50)} (${pct(1 - cold.deploy.p50 / s.p50)}) faster`,
      );
    } else {
      add('2 cold', `${variant.label}${variant.key === floorColdKey ? ' (floor)' : ''}`, value, ratios);
    }
  }

  add(
    '2 cold',
    'memory after import (RSS)',
    `deploy ${(rss.deploy / 2 ** 20).toFixed(0)} MB · floor ${(rss.floor / 2 ** 20).toFixed(0)} MB`,
    `function memory ${fn.memoryMb} MB: ${((100 * rss.deploy) / (fn.memoryMb * 2 ** 20)).toFixed(0)}% used after import (Node 20, x86-64)`,
  );

  // 3. Warm
  const [one, ten] = [1, 10].map((n) => warm.variants.find((v) => v.callbacksPerRequest === n)!);
  add(
    '3 warm',
    'handler, 1 callback/request',
    `p50 ${us(one.latencyUs.p50)} · p99 ${us(one.latencyUs.p99)}`,
    `${x(one.latencyUs.p50 / warm.sdkFloorUs.p50)} the 3 SDK calls alone; n=${one.latencyUs.n}`,
    '≤150 µs',
    verdict(one.latencyUs.p50 <= 150),
  );
  add(
    '3 warm',
    'handler, 10 callbacks/request',
    `p50 ${us(ten.latencyUs.p50)} · p99 ${us(ten.latencyUs.p99)}`,
    `${us(ten.latencyUs.p50 / 10)} per callback`,
  );
  add(
    '3 warm',
    'floor: PutItem + PublishBatch + UpdateItem',
    `p50 ${us(warm.sdkFloorUs.p50)} · p99 ${us(warm.sdkFloorUs.p99)}`,
    `${us(warm.sdkFloorUs.p50 / 3)} per SDK call (stub answers in-process)`,
  );
  add('3 warm', 'first invocation (SSM read, lazy init)', ms(warm.firstInvocation.ms));
  const coreRatio = warm.core.callbacksPerSecond / warm.core.md5PerSecond;
  const st = warm.core.stagesUs;
  add(
    '3 warm',
    'core: parseItem+verify+renderAlert',
    `${int(warm.core.callbacksPerSecond)} callbacks/s (1 core)`,
    `${pct(coreRatio)} of md5 floor; per callback: parse ${st.parse.toFixed(2)} µs, verify ${st.verify.toFixed(2)} µs, render ${st.render.toFixed(2)} µs`,
    '≥25% md5',
    verdict(coreRatio >= 0.25),
  );
  add('3 warm', 'core floor: md5 of the same string', `${int(warm.core.md5PerSecond)} digests/s`, `${st.md5.toFixed(2)} µs per digest`);

  // 4. Calls
  for (const v of [one, ten]) {
    const c = v.callsPerInvocation;
    const ops = Object.entries(c.operations)
      .map(([op, n]) => `${op} ${n}`)
      .join(', ');
    add(
      '4 calls',
      `warm invocation, ${v.callbacksPerRequest} callback${v.callbacksPerRequest > 1 ? 's' : ''}`,
      `SSM ${c.ssm} · DynamoDB ${c.dynamodb} · SNS ${c.sns} · SQS ${c.sqs ?? 0}`,
      `${ops}; ${c.snsMessages} alerts published`,
      'SSM 0 · SNS ⌈n/10⌉',
      verdict(c.ssm === 0 && c.sns === Math.ceil(v.callbacksPerRequest / 10)),
    );
  }
  add(
    '4 calls',
    'first invocation (cold cache)',
    `SSM ${warm.firstInvocation.calls.ssm} · DynamoDB ${warm.firstInvocation.calls.dynamodb} · SNS ${warm.firstInvocation.calls.sns}`,
    'then none for SECRETS_TTL_SECONDS (300 s default)',
  );

  // 5. End to end
  if (e2e) {
    add(
      '5 e2e',
      `callback → alert in SQS inbox (moto), ${e2e.callbacks}×1`,
      `p50 ${ms(e2e.visibleMs.p50)} · p99 ${ms(e2e.visibleMs.p99)}`,
      `handler alone p50 ${ms(e2e.handlerMs.p50)} · p99 ${ms(e2e.handlerMs.p99)} (3 HTTP calls to moto)`,
    );
    for (const b of e2e.bundles) {
      const name = b.file === deploy.file ? 'deploy bundle' : relative(WORK, b.file);
      add('5 e2e', `${name} against moto`, `${b.delivered}/${b.sent} alerts delivered`, `handler p50 ${ms(b.handlerMs.p50)}`);
    }
  } else {
    add('5 e2e', 'callback → alert in SQS inbox (moto)', 'skipped', e2eError ?? '');
  }

  // 6. Cost
  const gb = fn.memoryMb / 1024;
  const cost = (
    perRequest: number,
    warmUs: number,
    batches: readonly { batchBytes: number }[],
    dynamoCallsPerCallback: number,
    logBytes: number,
  ) => {
    const requests = 1e6 / perRequest;
    const billedMs = Math.max(1, Math.ceil(warmUs / 1000));
    const snsChunks = batches.reduce((sum, b) => sum + Math.max(1, Math.ceil(b.batchBytes / 65_536)), 0);
    const parts = {
      httpApi: (requests / 1e6) * PRICES.httpApiPerMillionRequests,
      lambda: (requests / 1e6) * PRICES.lambdaPerMillionRequests + requests * (billedMs / 1000) * gb * PRICES.lambdaArmPerGbSecond,
      sns: ((requests * snsChunks) / 1e6) * PRICES.snsPublishPerMillion64KbChunks,
      dynamodb: ((1e6 * dynamoCallsPerCallback) / 1e6) * PRICES.dynamoDbPerMillionWru,
    };
    const total = parts.httpApi + parts.lambda + parts.sns + parts.dynamodb;
    const logs = ((requests * (logBytes + PLATFORM_LOG_BYTES)) / 1024 ** 3) * PRICES.logsIngestionPerGb;
    return { perRequest, billedMs, snsChunks, parts, total, logs };
  };
  const costs = [one, ten].map((v) =>
    cost(
      v.callbacksPerRequest,
      v.latencyUs.p50,
      v.publishBatches,
      v.callsPerInvocation.dynamodb / v.callbacksPerRequest,
      v.logBytesPerInvocation,
    ),
  );
  for (const [i, c] of costs.entries()) {
    const v = [one, ten][i];
    add(
      '6 cost',
      `$ per 1M callbacks, ${c.perRequest}/request`,
      usd(c.total),
      `HTTP API ${usd(c.parts.httpApi)} + Lambda ${usd(c.parts.lambda)} (${c.billedMs} ms billed) + SNS ${usd(c.parts.sns)} (${c.snsChunks} chunk/request, ${bytes(v.publishBatches.reduce((s, b) => s + b.batchBytes, 0))}) + DynamoDB ${usd(c.parts.dynamodb)} (${v.callsPerInvocation.dynamodb / v.callbacksPerRequest} WRU/callback)`,
    );
    add(
      '6 cost',
      '  + CloudWatch Logs (separate)',
      usd(c.logs),
      `${bytes(v.logBytesPerInvocation)} logs+EMF measured + ~${PLATFORM_LOG_BYTES} B platform lines per invocation at $${PRICES.logsIngestionPerGb}/GB`,
    );
  }
  if (e2e) {
    const withIo = cost(1, e2e.handlerMs.p50 * 1000, one.publishBatches, one.callsPerInvocation.dynamodb, one.logBytesPerInvocation);
    add(
      '6 cost',
      '  sensitivity: Lambda billed at the moto e2e handler time',
      usd(withIo.total),
      `Lambda ${usd(withIo.parts.lambda)} at ${withIo.billedMs} ms billed (I/O included)`,
    );
  }
  const initUsd = (Math.ceil(cold.deploy.p50) / 1000) * gb * PRICES.lambdaArmPerGbSecond;
  add(
    '6 cost',
    'INIT (billed since 2025-08-01)',
    `${usd(initUsd * 1000)} per 1,000 cold starts`,
    `at the cold proxy p50 ${ms(cold.deploy.p50)} × ${fn.memoryMb} MB`,
  );
  add(
    '6 cost',
    'deliveries (separate, per alert)',
    `email $${((PRICES.snsEmailPer100k / 1e5) * 1e6).toFixed(2)} per 1M per email subscriber`,
    'SMS: varies by country; SQS/Lambda subscribers: no delivery charge',
  );
  add(
    '6 cost',
    'prices used',
    `${PRICES.region}`,
    `HTTP API $${PRICES.httpApiPerMillionRequests}/M · Lambda arm64 $${PRICES.lambdaArmPerGbSecond}/GB-s + $${PRICES.lambdaPerMillionRequests}/M · SNS $${PRICES.snsPublishPerMillion64KbChunks}/M 64 KB chunks · DynamoDB $${PRICES.dynamoDbPerMillionWru}/M WRU · Logs $${PRICES.logsIngestionPerGb}/GB`,
  );

  // What dominates: bundle bytes by package, the cold import by package, the warm invocation by package.
  const deployPackages = bytesByPackage(built.handlerRebuild.metafile!);
  const floorPackages = bytesByPackage(built.floorEsm.metafile!);
  const fullChainPackages = bytesByPackage(built.handlerFullChain.metafile!);
  const likeForLikePackages = bytesByPackage(built.floorLikeForLike.metafile!);
  const topPackages = [...deployPackages.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12);
  const overFloor = [...deployPackages.entries()]
    .map(([k, v]) => [k, v - (floorPackages.get(k) ?? 0)] as const)
    .filter(([, d]) => d > 0)
    .sort((a, b) => b[1] - a[1]);
  const trimmedAway = [...fullChainPackages.entries()]
    .map(([k, v]) => [k, v - (deployPackages.get(k) ?? 0)] as const)
    .filter(([, d]) => d > 0)
    .sort((a, b) => b[1] - a[1]);
  const overLikeForLike = [...deployPackages.entries()]
    .map(([k, v]) => [k, v - (likeForLikePackages.get(k) ?? 0)] as const)
    .filter(([, d]) => d > 0)
    .sort((a, b) => b[1] - a[1]);
  const groupReceiver = (entries: ReadonlyArray<readonly [string, number]>) => {
    const grouped = new Map<string, number>();
    for (const [k, v] of entries)
      grouped.set(
        k.startsWith('receiver: ') ? 'receiver code (lambda/)' : k,
        (grouped.get(k.startsWith('receiver: ') ? 'receiver code (lambda/)' : k) ?? 0) + v,
      );
    return [...grouped.entries()].sort((a, b) => b[1] - a[1]);
  };

  const table = renderTable(rows);
  const breakdown = [
    `Handler bundle bytes by package (esbuild metafile of lambda/ built with the stack options, top ${topPackages.length}):`,
    ...topPackages.map(([k, v]) => `  ${bytes(v).padStart(10)}  ${k}`),
    `What the handler adds over the issue's ESM floor (net ${signedBytes(built.handlerRebuild.bytes - built.floorEsm.bytes)}; packages it has more of):`,
    ...groupReceiver(overFloor)
      .slice(0, 8)
      .map(([k, v]) => `  ${bytes(v).padStart(10)}  ${k}`),
    `What the handler adds over the like-for-like floor (net ${signedBytes(built.handlerRebuild.bytes - likeForLike.bytes)}):`,
    ...groupReceiver(overLikeForLike)
      .slice(0, 8)
      .map(([k, v]) => `  ${bytes(v).padStart(10)}  ${k}`),
    `What env-only credentials remove from the handler bundle (full chain − deploy build, ${bytes(chainSaving)}):`,
    ...trimmedAway.slice(0, 10).map(([k, v]) => `  ${bytes(v).padStart(10)}  ${k}`),
    `Cold import of the deploy bundle, CPU by owner (--cpu-prof, ${ITERATIONS.coldProfiles} runs, source-mapped):`,
    ...coldProfile.map((p) => `  ${ms(p.usPerRun / 1000).padStart(10)}  ${pct(p.share).padStart(6)}  ${p.owner}`),
    'Warm 1-callback invocation, CPU by owner (inspector profile, profiler overhead included):',
    ...warm.profile.map((p) => `  ${us(p.usPerRun).padStart(10)}  ${pct(p.share).padStart(6)}  ${p.owner}`),
  ].join('\n');

  process.stdout.write(`\n${table}\n\n${breakdown}\n\n`);
  const elapsed = (performance.now() - started) / 1000;
  process.stdout.write(
    `bench: ${QUICK ? 'quick' : 'full'} run in ${elapsed.toFixed(0)} s on Node ${process.version}, ${ITERATIONS.coldRounds} cold rounds; results in ${relative(ROOT, join(RESULTS, 'bench.json'))}\n`,
  );

  const result = {
    generatedAt: new Date().toISOString(),
    node: process.version,
    quick: QUICK,
    elapsedSeconds: elapsed,
    function: { ...fn, bundle: relative(ROOT, fn.bundle) },
    targets: {
      bundleVsFloor: { value: bundleRatio, target: 1.15, pass: bundleRatio <= 1.15 },
      bundleVsLikeForLikeFloor: { value: bundleRatioLikeForLike, informational: true },
      coldVsLikeForLikeFloor: { value: cold.deploy.p50 / cold.floorLikeForLike.p50, informational: true },
      coldVsFloor: { value: cold.deploy.p50 / floorCold, target: 1.25, pass: cold.deploy.p50 / floorCold <= 1.25 },
      coldVsSdkExternal: { value: cold.deploy.p50 / bCold, target: 0.5, pass: cold.deploy.p50 / bCold <= 0.5 },
      warmP50Us: { value: one.latencyUs.p50, target: 150, pass: one.latencyUs.p50 <= 150 },
      coreVsMd5: { value: coreRatio, target: 0.25, pass: coreRatio >= 0.25 },
    },
    bundle: {
      deploy: { bytes: deploy.bytes, gzipBytes: deploy.gzipBytes, mapBytes: deploy.mapBytes },
      floor: { bytes: floorBytes, gzipBytes: floorGzip, build: floorBuildName },
      variants: Object.fromEntries(Object.entries(built).map(([k, b]) => [k, { bytes: b.bytes, gzipBytes: b.gzipBytes }])),
      packages: Object.fromEntries(topPackages),
      overFloor: Object.fromEntries(groupReceiver(overFloor)),
      overLikeForLikeFloor: Object.fromEntries(groupReceiver(overLikeForLike)),
      removedByEnvCredentials: Object.fromEntries(trimmedAway),
    },
    cold: {
      rounds: ITERATIONS.coldRounds,
      ms: cold,
      rssBytes: rss,
      raw: Object.fromEntries(coldTimes),
      floor: floorColdKey,
      profile: coldProfile,
      p90Check: percentile(coldTimes.get('deploy')!, 90),
    },
    warm,
    e2e: e2e ?? { skipped: e2eError },
    cost: { prices: PRICES, platformLogBytes: PLATFORM_LOG_BYTES, perMillionCallbacks: costs, initPerColdStartUsd: initUsd },
    table: rows,
    tableText: table,
    tableMarkdown: renderMarkdown(rows),
    breakdown,
  };
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, 'bench.json'), JSON.stringify(result, null, 2));
  if (!KEEP) rmSync(WORK, { recursive: true, force: true });
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  if (!KEEP) rmSync(WORK, { recursive: true, force: true });
  process.exit(1);
});
