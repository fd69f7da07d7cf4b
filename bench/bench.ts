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
 *   7. Balance confirmation (issue 14) on and off: cold import and warm p50 of a min_balance request, with the
 *      Management API stand-in answering (bench/confirmation.ts), as ratios to off.
 *
 * Modules: bundle.ts (1), cold.ts (2), warm.ts (3, 4; a child process), e2e.ts (5; a child), cost.ts (6),
 * confirmation.ts and confirmation-report.ts (7), common.ts (paths, formatting, the table), this file (the run).
 *
 * Targets are reported (PASS/MISS), never asserted. `--quick` runs fewer iterations; `--keep` keeps the
 * builds and profiles in bench-results/tmp-<pid>/.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type * as esbuild from 'esbuild';
import { ENV_CREDENTIALS_MODULE, ESM_REQUIRE_BANNER } from '../infra/stack';
import { ENV } from '../lambda/contract';
import { parseCommandLine } from '../tools/cli';
import { build, bundleRows, deployedFunction, packageBreakdown, sizes, type BuiltVariants } from './bundle';
import { coldRows, coldStarts, coldVariantList, profileCold, rssAfterImport } from './cold';
import {
  bytes,
  int,
  log,
  ms,
  pct,
  renderMarkdown,
  renderTable,
  RESULTS,
  ROOT,
  runChild,
  signedBytes,
  us,
  verdict,
  WORK,
  x,
  type Row,
} from './common';
import { costRows, PLATFORM_LOG_BYTES, PRICES } from './cost';
import type { ConfirmationResult } from './confirmation';
import { confirmationRows } from './confirmation-report';
import type { E2eResult } from './e2e';
import { percentile, summarize, type Summary } from './stats';
import type { WarmResult } from './warm';

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

const ITERATIONS = {
  coldRounds: QUICK ? 6 : 21,
  coldProfiles: QUICK ? 2 : 5,
  e2eCallbacks: QUICK ? 15 : 50,
};

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
  // (full default) credential chain, which is what the floor and the other plain variants use.
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
  const built: BuiltVariants = {
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
  // The deployed function confirms balance alerts over the network; the bench has none, so every row runs with
  // confirmation off, and section 7 (confirmation.ts) measures it on against the loopback stand-in.
  delete lambdaEnv[ENV.voximplantApiUrl];
  const nodeOptions = lambdaEnv.NODE_OPTIONS ?? '';
  delete lambdaEnv.NODE_OPTIONS;
  const withoutOptions = { ...lambdaEnv };
  const asDeployed = nodeOptions ? { ...lambdaEnv, NODE_OPTIONS: nodeOptions } : lambdaEnv;
  const coldVariants = coldVariantList(deploy.file, built, { withoutOptions, asDeployed, nodeOptions });
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

  // 7. Balance confirmation on and off, with the stand-in answering.
  log('balance confirmation on/off (bench/confirmation.ts)');
  const confirmationFile = join(WORK, 'confirmation.json');
  let confirmation: ConfirmationResult | string;
  try {
    await runChild('confirmation.ts', [confirmationFile, ...(QUICK ? ['quick'] : [])], warmEnv);
    confirmation = JSON.parse(readFileSync(confirmationFile, 'utf8')) as ConfirmationResult;
  } catch (error) {
    confirmation = (error as Error).message.split('\n').slice(0, 3).join(' ');
    log(`confirmation skipped: ${confirmation}`);
  }

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

  const bundle = bundleRows(add, deploy, built);
  const { floorBytes, floorGzip, floorBuildName, bundleRatio, bundleRatioLikeForLike, chainSaving, likeForLike } = bundle;
  const { floorCold, floorColdKey, bCold } = coldRows(add, cold, coldVariants, rss, fn.memoryMb);

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

  const { costs, initUsd } = costRows(add, fn.memoryMb, [one, ten], e2e, cold.deploy);
  confirmationRows(add, { off: cold.deploy, on: cold.deployConfirm }, confirmation);
  const { topPackages, overFloor, trimmedAway, overLikeForLike, groupReceiver } = packageBreakdown(built);

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
    confirmation: {
      coldMs: { off: cold.deploy, on: cold.deployConfirm },
      ...(typeof confirmation === 'string' ? { skipped: confirmation } : confirmation),
    },
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
