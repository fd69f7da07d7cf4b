/**
 * What the bench's main process shares between its sections: where it works, how it logs, how figures are
 * formatted, the table they go in, and how a measuring child process is run.
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..');
export const RESULTS = join(ROOT, 'bench-results');
/** This run's private directory: synth output, builds, profiles (removed at the end unless --keep). */
export const WORK = join(RESULTS, `tmp-${process.pid}`);

export const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

/** Runs `bench/<script>` with tsx in its own process; resolves with the bytes it wrote to stdout (the handler's logs). */
export function runChild(script: string, childArgs: readonly string[], env: NodeJS.ProcessEnv): Promise<{ stdoutBytes: number }> {
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

export const int = (n: number) => Math.round(n).toLocaleString('en-US');
export const bytes = (n: number) => `${int(n)} B`;
export const signedBytes = (n: number) => `${n < 0 ? '−' : '+'}${bytes(Math.abs(n))}`;
export const ms = (n: number) => `${n.toFixed(1)} ms`;
export const us = (n: number) => `${int(n)} µs`;
export const x = (n: number) => `${n.toFixed(2)}×`;
/** Ratios that are compared with a target get one more digit, so 1.152 does not print as a passing 1.15. */
export const xt = (n: number) => `${n.toFixed(3)}×`;
export const usd = (n: number) => (n >= 0.1 ? `$${n.toFixed(2)}` : `$${n.toFixed(4)}`);
export const pct = (n: number) => `${(n * 100).toFixed(1)}%`;
export const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');

export interface Row {
  section: string;
  measure: string;
  value: string;
  ratios: string;
  target: string;
  result: string;
}

export function renderMarkdown(rows: readonly Row[]): string {
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

export function renderTable(rows: readonly Row[]): string {
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

/** Adds one row to the table: `ratios` holds ratios and notes, `target`/`result` a target and PASS/MISS. */
export type Add = (section: string, measure: string, value: string, ratios?: string, target?: string, result?: string) => void;
