/**
 * Reads what `cdk synth` (npm run synth) put in cdk.out: the stack template and the receiver's bundle,
 * so tests exercise exactly what `cdk deploy` would upload. The readers are tools/cdk-template.ts, shared with
 * the bench.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { bundleFile, readStackTemplate, type Resource, type Template } from '../../tools/cdk-template';

export { receiverFunction, resolveEnvironment, type Template } from '../../tools/cdk-template';

export const CDK_OUT = join(__dirname, '..', '..', 'cdk.out');

export function readTemplate(): Template {
  const manifestPath = join(CDK_OUT, 'manifest.json');
  if (!existsSync(manifestPath)) {
    throw new Error(`${manifestPath} not found: run \`npm run synth\` first (\`npm test\` does it)`);
  }
  return readStackTemplate(CDK_OUT);
}

/** The bundle file the function's Handler points at, inside its asset directory in cdk.out. */
export function bundlePath(resource: Resource): string {
  return bundleFile(CDK_OUT, resource);
}
