/**
 * Reads what `cdk synth` (npm run synth) put in cdk.out (or another output directory): the stack template and the receiver's bundle,
 * so tests and the bench exercise exactly what `cdk deploy` would upload.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENV } from '../lambda/contract';

export const CDK_OUT = join(__dirname, '..', 'cdk.out');

/** A template resource, read loosely: the properties the tests and the bench look at, anything else unknown. */
export type Resource = {
  Type: string;
  Properties?: { Environment?: { Variables?: Record<string, unknown> }; Architectures?: string[]; [name: string]: unknown };
  Metadata?: Record<string, unknown>;
};
export type Template = { Resources: Record<string, Resource>; Outputs?: Record<string, unknown> };

/** The one stack's template in `cdkOut` (default: the project's cdk.out); throws when it was not synthesized. */
export function readTemplate(cdkOut = CDK_OUT): Template {
  const manifestPath = join(cdkOut, 'manifest.json');
  if (!existsSync(manifestPath)) {
    throw new Error(`${manifestPath} not found: run \`npm run synth\` first (\`npm test\` does it)`);
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    artifacts: Record<string, { type: string; properties?: { templateFile?: string } }>;
  };
  const stacks = Object.values(manifest.artifacts).filter((a) => a.type === 'aws:cloudformation:stack');
  if (stacks.length !== 1) throw new Error(`expected one stack in ${cdkOut}, found ${stacks.length}`);
  return JSON.parse(readFileSync(join(cdkOut, stacks[0].properties!.templateFile!), 'utf8')) as Template;
}

/** The function whose environment names every one of `variables` and none of `without`; throws unless exactly one does. */
function functionWith(
  template: Template,
  variables: readonly string[],
  what: string,
  without: readonly string[] = [],
): { logicalId: string; resource: Resource } {
  const has = (r: Resource, v: string) => r.Properties?.Environment?.Variables?.[v] !== undefined;
  const found = Object.entries(template.Resources).filter(
    ([, r]) => r.Type === 'AWS::Lambda::Function' && variables.every((v) => has(r, v)) && !without.some((v) => has(r, v)),
  );
  if (found.length !== 1) throw new Error(`expected one ${what} function in the template, found ${found.length}`);
  return { logicalId: found[0][0], resource: found[0][1] };
}

/** The receiver function: the one whose environment names the retry queue (the watchdog publishes alerts too). */
export function receiverFunction(template: Template): { logicalId: string; resource: Resource } {
  return functionWith(template, [ENV.retryQueueUrl], 'receiver');
}

/** The watchdog function: the one whose environment names the webhook URL and the dedupe table (its state). */
export function watchdogFunction(template: Template): { logicalId: string; resource: Resource } {
  return functionWith(template, [ENV.webhookUrl, ENV.dedupeTableName], 'watchdog');
}

/** The incident notifier: the one whose environment names the reminder schedule but no dedupe table (the receiver and watchdog have both). */
export function notifierFunction(template: Template): { logicalId: string; resource: Resource } {
  return functionWith(template, [ENV.reminderSchedule], 'notifier', [ENV.dedupeTableName]);
}

/** The acknowledge route's function: the one whose environment names the acknowledge key's parameter. */
export function ackFunction(template: Template): { logicalId: string; resource: Resource } {
  return functionWith(template, [ENV.ackKeyParameter], 'acknowledge');
}

/** The bundle file the function's Handler points at, inside its asset directory in cdk.out. */
export function bundlePath(resource: Resource, cdkOut = CDK_OUT): string {
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
 * a Ref/GetAtt to a resource is replaced by `physical[logical id]`, else `physical[resource type]` (by logical id
 * where the stack has two resources of a type: the dedupe and incident tables; logicalIdOf finds the id).
 */
export function resolveEnvironment(template: Template, resource: Resource, physical: Record<string, string>): Record<string, string> {
  const variables = (resource.Properties?.Environment?.Variables ?? {}) as Record<string, unknown>;
  const resolved: Record<string, string> = {};
  for (const [name, value] of Object.entries(variables)) {
    if (typeof value === 'string') {
      resolved[name] = value;
      continue;
    }
    const ref =
      (value as { Ref?: string; 'Fn::GetAtt'?: [string, string] }).Ref ?? (value as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt']?.[0];
    const type = ref ? template.Resources[ref]?.Type : undefined;
    const local = ref !== undefined && Object.prototype.hasOwnProperty.call(physical, ref) ? physical[ref] : type && physical[type];
    if (typeof local !== 'string') throw new Error(`cannot resolve ${name}=${JSON.stringify(value)} locally`);
    resolved[name] = local;
  }
  return resolved;
}

/** The logical id of the one resource of `type` whose id starts with `construct` (CDK appends a hash). Throws otherwise. */
export function logicalIdOf(template: Template, type: string, construct: string): string {
  const ids = Object.entries(template.Resources)
    .filter(([id, resource]) => resource.Type === type && id.startsWith(construct))
    .map(([id]) => id);
  if (ids.length !== 1) throw new Error(`expected one ${type} named ${construct}*, found ${ids.length}`);
  return ids[0];
}
