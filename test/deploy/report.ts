/**
 * The rehearsal's visible output besides Jest's pass/fail: the wall time of every CLI step (printed, never
 * asserted) and every GAP, a thing moto does not model, with what the test asserted instead. Printed as it
 * happens and again in the summary after the last test.
 */

interface Step {
  readonly name: string;
  readonly ms: number;
  readonly ok: boolean;
}

const steps: Step[] = [];
const gaps: string[] = [];

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Records a step timed elsewhere (the global setup's synth). */
export function recordStep(name: string, ms: number, ok = true): void {
  steps.push({ name, ms, ok });
}

/** Runs `body` and records its wall time, whether it throws or not. */
export async function timed<T>(name: string, body: () => Promise<T>): Promise<T> {
  const started = Date.now();
  let ok = false;
  try {
    const result = await body();
    ok = true;
    return result;
  } finally {
    const ms = Date.now() - started;
    steps.push({ name, ms, ok });
    process.stdout.write(`  ${ok ? 'done' : 'FAILED'}: ${name} in ${seconds(ms)}\n`);
  }
}

/** Records a GAP: `what` moto does not model, `instead` what the test checked in its place. */
export function gap(what: string, instead: string): void {
  const line = `GAP ${what}\n      instead: ${instead}`;
  if (!gaps.includes(line)) gaps.push(line);
  process.stdout.write(`    ${line}\n`);
}

/** The summary: step times, the GAPs, and where the logs are. */
export function printSummary(workDir: string, kept: boolean): void {
  const width = Math.max(10, ...steps.map((s) => s.name.length));
  const lines = ['', '──────── Deploy rehearsal summary ────────', 'Steps (wall time):'];
  for (const s of steps) lines.push(`  ${s.ok ? '  ' : '✗ '}${s.name.padEnd(width)}  ${seconds(s.ms).padStart(8)}`);
  lines.push(`    ${'total'.padEnd(width)}  ${seconds(steps.reduce((sum, s) => sum + s.ms, 0)).padStart(8)}`);
  lines.push(`Not modelled by moto (${gaps.length}; each test asserts what can be read instead):`);
  for (const g of gaps) lines.push(`  ${g}`);
  if (kept) lines.push(`Cloud assembly and one log per CLI command kept in ${workDir}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
