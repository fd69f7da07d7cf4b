/**
 * Section 1 of `npm run bench`: the deploy bundle as `cdk synth` stages it, the variants built to compare it
 * with, their bytes, and the table rows and package breakdown they give.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { ENV } from '../lambda/contract';
import { bundlePath, readTemplate, receiverFunction, resolveEnvironment } from '../local/cdk-out';
import { bytes, log, ROOT, WORK, x, xt, pct, verdict, int, type Add } from './common';
import { packageOf } from './profile';

export interface FunctionFacts {
  readonly bundle: string;
  readonly runtime: string;
  readonly memoryMb: number;
  readonly architecture: string;
  /** The function's environment with the table and topic replaced by fake names. */
  readonly environment: Record<string, string>;
}

/** Fake names for the stack's own resources: what a Ref to each resolves to in the function's environment. */
export const FAKE_RESOURCES: Record<string, string> = {
  'AWS::DynamoDB::Table': 'bench-dedupe',
  'AWS::SNS::Topic': 'arn:aws:sns:us-east-1:123456789012:bench-alerts',
  'AWS::SQS::Queue': 'https://sqs.us-east-1.amazonaws.com/123456789012/bench-retry',
};

/**
 * Every resource name the receiver reads from lambda/contract.ts ENV, faked, so the source (which may be
 * ahead of cdk.out) and every bundle find their configuration however the template reads.
 */
export function fakeResourceEnv(): Record<string, string> {
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
export function synthesize(outDir: string): void {
  log(`synthesizing: npx cdk synth --quiet --output ${relative(ROOT, outDir)}`);
  const synth = spawnSync('npx', ['cdk', 'synth', '--quiet', '--output', outDir], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  if (synth.status !== 0) throw new Error(`\`npx cdk synth --quiet\` failed (exit ${synth.status}):\n${synth.stderr?.toString() ?? ''}`);
}

export function deployedFunction(cdkOut: string): FunctionFacts {
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

export interface Built {
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly metafile?: esbuild.Metafile;
}

export function sizes(file: string): { bytes: number; gzipBytes: number } {
  const content = readFileSync(file);
  return { bytes: content.length, gzipBytes: gzipSync(content, { level: 9 }).length };
}

export async function build(name: string, options: esbuild.BuildOptions): Promise<Built> {
  const outfile = join(WORK, name, options.format === 'esm' ? 'index.mjs' : 'index.js');
  const result = await esbuild.build({ ...options, outfile, metafile: true, logLevel: 'error', absWorkingDir: ROOT });
  return { file: outfile, ...sizes(outfile), metafile: result.metafile };
}

/** Bytes in the output per package (or project file group). */
export function bytesByPackage(metafile: esbuild.Metafile): Map<string, number> {
  const output = Object.values(metafile.outputs).find((o) => o.entryPoint !== undefined)!;
  const totals = new Map<string, number>();
  for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
    const key = packageOf(path) ?? (path.startsWith('lambda/') ? `receiver: ${path}` : path);
    totals.set(key, (totals.get(key) ?? 0) + bytesInOutput);
  }
  return totals;
}

/** The variants section 1 builds (bench.ts builds them; see there for what each is). */
export type BuiltVariants = Record<
  | 'handlerRebuild'
  | 'sdkExternal'
  | 'express'
  | 'floorCjs'
  | 'floorEsm'
  | 'handlerFullChain'
  | 'floorEnvCredentials'
  | 'floorImportOnly'
  | 'floorWithSqs'
  | 'floorLikeForLike'
  | 'core',
  Built
>;

/** The deploy bundle's bytes (and its source map's). */
export interface DeployBundle {
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly mapBytes: number;
}

/** The section's rows; returns the ratios the targets and the JSON result use. */
export function bundleRows(add: Add, deploy: DeployBundle, built: BuiltVariants) {
  const floorBytes = Math.min(built.floorCjs.bytes, built.floorEsm.bytes);
  const floorGzip = Math.min(built.floorCjs.gzipBytes, built.floorEsm.gzipBytes);
  const floorBuildName = built.floorEsm.bytes <= built.floorCjs.bytes ? 'ESM' : 'CJS';
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

  return { floorBytes, floorGzip, floorBuildName, bundleRatio, bundleRatioLikeForLike, likeForLike, chainSaving };
}

/** Bundle bytes by package: the deploy build's top packages and what it has over each floor. */
export function packageBreakdown(built: BuiltVariants) {
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
  return { topPackages, overFloor, trimmedAway, overLikeForLike, groupReceiver };
}
