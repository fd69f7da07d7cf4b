/**
 * cfn-lint over the synthesized templates (defaults and full context): no error, no warning, no info.
 * The one CDK-inherent warning (W3005 on the function's DependsOn its role) is silenced in the template
 * itself, on that resource only (see infra/stack.ts), so running cfn-lint on cdk.out by hand is clean too.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FULL_CONTEXT, removeOutdirs, synth } from './synth';

afterAll(removeOutdirs);

const INSTALL_HINT = 'cfn-lint is required for this test: install it with `pip install cfn-lint` (1.x) and put it on PATH';

it('passes cfn-lint cleanly', () => {
  const templates = [synth(), synth(FULL_CONTEXT)].map(({ json, outdir }, i) => {
    const file = join(outdir, `lint-${i}.template.json`);
    writeFileSync(file, JSON.stringify(json, null, 1));
    return file;
  });
  const run = spawnSync('cfn-lint', ['--format', 'parseable', '--', ...templates], { encoding: 'utf8', timeout: 120_000 });
  if (run.error && (run.error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(INSTALL_HINT);
  if (run.error) throw run.error;
  const findings = `${run.stdout}${run.stderr}`.trim();
  expect(findings).toBe('');
  expect(run.status).toBe(0);
});
