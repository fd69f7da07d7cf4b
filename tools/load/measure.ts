/**
 * What the load test measures besides its own counts: CPU time per process (Linux /proc), to see where the
 * time goes (moto, the local stack, the load generator), and percentiles of the request latencies.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Rounded to one decimal. */
export const round1 = (n: number) => Math.round(n * 10) / 10;

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

/** The processes to measure besides this one. */
export interface Processes {
  readonly moto?: number;
  /** The local stack, when it is another process (`--use-running`); in-process, its CPU counts in `generator`. */
  readonly stack?: number;
}

export interface CpuSample {
  readonly at: number;
  readonly moto?: number;
  readonly stack?: number;
  readonly generator: number;
}

/** CPU seconds used so far by each process, and when. */
export function sampleCpu(pids: Processes): CpuSample {
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

/** CPU per process over one phase of the run. */
export type CpuPhase = Record<'moto' | 'stack' | 'generator', CpuShare | undefined> & { wallSeconds: number };

/** What each process used between two samples, in seconds and as a share of one core. */
export function cpuBetween(a: CpuSample, b: CpuSample): CpuPhase {
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
