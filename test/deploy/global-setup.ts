/**
 * Step 1 of the rehearsal, before Jest collects the tests: `cdk synth` with the README's context into a temp
 * cloud assembly (never `cdk.out`), so that every resource and output of the template gets a named test.
 * REHEARSE_WORK_DIR and REHEARSE_ASSEMBLY tell the suite where it is; REHEARSE_SYNTH_MS how long it took.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cdk } from './cdk-cli';
import { CONTEXT } from './template';

export default async function globalSetup(): Promise<void> {
  const workDir = mkdtempSync(join(tmpdir(), 'rehearse-deploy-'));
  const assembly = join(workDir, 'cdk.out');
  const limitMs = Number(process.env.REHEARSE_TIMEOUT_SECONDS ?? 300) * 1000;
  process.stdout.write(`\nDeploy rehearsal (offline): real CDK CLI against moto server; work dir ${workDir}\n`);
  const contextArgs = Object.entries(CONTEXT).flatMap(([key, value]) => ['-c', `${key}=${value}`]);
  const started = Date.now();
  // Synthesis needs no AWS: the caller's environment, without telemetry.
  const env = { ...process.env, CDK_DISABLE_CLI_TELEMETRY: '1', AWS_EC2_METADATA_DISABLED: 'true' };
  await cdk(['synth', '--quiet', ...contextArgs, '--output', assembly], { env, workDir, logName: 'synth', timeoutMs: limitMs });
  Object.assign(process.env, { REHEARSE_WORK_DIR: workDir, REHEARSE_ASSEMBLY: assembly, REHEARSE_SYNTH_MS: String(Date.now() - started) });
}
