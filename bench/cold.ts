/**
 * Section 2 of `npm run bench`: the cold-start proxy. Fresh `node` processes `import()` each variant, interleaved
 * in a shuffled order each round; a first run per variant fails on any network call at import.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ENV } from '../lambda/contract';
import type { BuiltVariants } from './bundle';
import { ms, pct, verdict, WORK, x, xt, type Add } from './common';
import { attribute, byBundle, top, type CpuProfile } from './profile';
import { prng, shuffle, type Summary } from './stats';

export interface ColdVariant {
  readonly key: string;
  readonly label: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
}

export function importArgs(file: string): string[] {
  // `import()` like Lambda's runtime; an empty namespace (nothing exported) counts as a failure.
  const url = pathToFileURL(file).href;
  return ['-e', `import(${JSON.stringify(url)}).then((m) => { if (Object.keys(m).length === 0) process.exit(3); })`];
}

export function runOnce(variant: ColdVariant, extraArgs: readonly string[] = []): { ms: number; status: number | null; stderr: string } {
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
export function rssAfterImport(variant: ColdVariant): number {
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

export function coldStarts(variants: readonly ColdVariant[], rounds: number): Map<string, number[]> {
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

export function profileCold(variant: ColdVariant, bundle: string, runs: number): ReturnType<typeof top> {
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

/** The section's rows, one per variant with its ratios; returns the floor the targets use. */
export function coldRows(
  add: Add,
  cold: Record<string, Summary>,
  coldVariants: readonly ColdVariant[],
  rss: { deploy: number; floor: number },
  memoryMb: number,
) {
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
    `function memory ${memoryMb} MB: ${((100 * rss.deploy) / (memoryMb * 2 ** 20)).toFixed(0)}% used after import (Node 20, x86-64)`,
  );
  return { floorCold, floorColdKey, bCold };
}

/**
 * The variants section 2 times: bare node, the deploy bundle as deployed (and with confirmation on), (b), (c),
 * the floors and the extras (docs/performance.md says what each is).
 */
export function coldVariantList(
  deployFile: string,
  built: BuiltVariants,
  { withoutOptions, asDeployed, nodeOptions }: { withoutOptions: NodeJS.ProcessEnv; asDeployed: NodeJS.ProcessEnv; nodeOptions: string },
): ColdVariant[] {
  return [
    { key: 'bare', label: 'bare `node -e 0`', args: ['-e', '0'], env: withoutOptions },
    {
      key: 'deploy',
      label: `deploy bundle${nodeOptions ? ` (NODE_OPTIONS=${nodeOptions})` : ''}`,
      args: importArgs(deployFile),
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
      args: importArgs(deployFile),
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
    // Balance confirmation on (section 7); no stand-in needed: the import must make no call (the guard checks it).
    {
      key: 'deployConfirm',
      label: 'extra: deploy bundle, confirmation on (VOXIMPLANT_API_URL set)',
      args: importArgs(deployFile),
      env: { ...asDeployed, [ENV.voximplantApiUrl]: 'http://127.0.0.1:9/platform_api/' },
    },
  ];
}
