/**
 * One moto server for the whole run, on a free port, behind an SNS limits check: MOTO_ENDPOINT is a
 * FaultProxy with no faults in front of moto (sns-limits-check.ts, its own process), so every PublishBatch any
 * suite sends through it is refused as AWS would refuse it (lambda/sns-limits.ts; moto accepts what AWS
 * refuses). Workers inherit MOTO_ENDPOINT through the environment; each integration suite creates its own
 * uniquely named resources, so suites never see each other's data.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { SnsLimitViolation } from '../../lambda/sns-limits';
import { startMoto, type MotoServer } from '../../local/moto';

declare global {
  var __MOTO__: MotoServer | undefined;
  var __SNS_LIMITS_CHECK__: { readonly child: ChildProcess; readonly refusals: SnsLimitViolation[] } | undefined;
}

const ROOT = join(__dirname, '..', '..');

export default async function globalSetup(): Promise<void> {
  const moto = await startMoto();
  globalThis.__MOTO__ = moto;
  const child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(__dirname, 'sns-limits-check.ts'), moto.endpoint], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const refusals: SnsLimitViolation[] = [];
  globalThis.__SNS_LIMITS_CHECK__ = { child, refusals };
  const endpoint = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the SNS limits check exited (${code}) before listening`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('LISTENING ')) resolve(line.slice('LISTENING '.length));
      else if (line.startsWith('REFUSED ')) refusals.push(JSON.parse(line.slice('REFUSED '.length)) as SnsLimitViolation);
    });
  });
  process.env.MOTO_ENDPOINT = endpoint;
}
