/**
 * Reads a cloud assembly (`cdk synth` output): the one stack's template, the receiver function in it, its
 * bundle file and its environment with the stack's own resources resolved to local names. Shared by the tests
 * (test/support/cdk-out.ts reads the project's cdk.out) and the bench (its private synth output).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENV } from '../lambda/names';

// A template is arbitrary JSON that the readers (and the tests) index into freely: `any` is its honest type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Resource = { Type: string; Properties?: Record<string, any>; Metadata?: Record<string, any> };
export type Template = { Resources: Record<string, Resource>; Outputs?: Record<string, unknown> };

/** The template of the one stack in `cdkOut` (its manifest.json names it); throws when there is not exactly one. */
export function readStackTemplate(cdkOut: string): Template {
  const manifest = JSON.parse(readFileSync(join(cdkOut, 'manifest.json'), 'utf8')) as {
    artifacts: Record<string, { type: string; properties?: { templateFile?: string } }>;
  };
  const stacks = Object.values(manifest.artifacts).filter((a) => a.type === 'aws:cloudformation:stack');
  if (stacks.length !== 1) throw new Error(`expected one stack in ${cdkOut}, found ${stacks.length}`);
  return JSON.parse(readFileSync(join(cdkOut, stacks[0].properties!.templateFile!), 'utf8')) as Template;
}

/** The receiver function: the one whose environment names the alert topic. */
export function receiverFunction(template: Template): { logicalId: string; resource: Resource } {
  const found = Object.entries(template.Resources).filter(
    ([, r]) => r.Type === 'AWS::Lambda::Function' && r.Properties?.Environment?.Variables?.[ENV.topicArn] !== undefined,
  );
  if (found.length !== 1) throw new Error(`expected one receiver function in the template, found ${found.length}`);
  return { logicalId: found[0][0], resource: found[0][1] };
}

/** The bundle file the function's Handler points at, inside its asset directory in `cdkOut`. */
export function bundleFile(cdkOut: string, resource: Resource): string {
  const assetDir = resource.Metadata?.['aws:asset:path'];
  if (typeof assetDir !== 'string') throw new Error('the function has no aws:asset:path metadata');
  const handler = String(resource.Properties?.Handler ?? 'index.handler');
  const base = handler.slice(0, handler.lastIndexOf('.'));
  for (const ext of ['.mjs', '.js', '.cjs']) {
    const file = join(cdkOut, assetDir, base + ext);
    if (existsSync(file)) return file;
  }
  throw new Error(`no bundle for handler ${handler} in ${assetDir}`);
}

/**
 * The function's environment with references to the stack's own resources resolved to local ones:
 * a Ref/GetAtt to a resource is replaced by `physical[resource type]`.
 */
export function resolveEnvironment(template: Template, resource: Resource, physical: Record<string, string>): Record<string, string> {
  const variables = (resource.Properties?.Environment?.Variables ?? {}) as Record<string, unknown>;
  const resolved: Record<string, string> = {};
  for (const [name, value] of Object.entries(variables)) {
    if (typeof value === 'string') {
      resolved[name] = value;
      continue;
    }
    const { Ref: ref = (value as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt']?.[0] } = value as { Ref?: string };
    const type = ref ? template.Resources[ref]?.Type : undefined;
    if (!type || !(type in physical)) throw new Error(`cannot resolve ${name}=${JSON.stringify(value)} locally`);
    resolved[name] = physical[type];
  }
  return resolved;
}
