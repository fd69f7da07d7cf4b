/**
 * The deploy rehearsal's fixed inputs and the pure reading of a synthesized template: its resources by type,
 * and its references (Ref / Fn::GetAtt / Fn::Join) resolved the way CloudFormation would, against what moto
 * created. No AWS calls here.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');
export const REGION = 'us-east-1';
/** moto's default account; the rehearsal confirms it through STS GetCallerIdentity, as the CDK CLI does. */
export const MOTO_ACCOUNT = '123456789012';
/** Subscribers for the deploy, as the README's Deploy section shows them. */
export const CONTEXT = { alertEmail: 'ops@example.com', alertSms: '+15551234567' } as const;

/** Template resource types that must come out of a deploy to moto as real resources. */
export const MODELLED_TYPES: ReadonlySet<string> = new Set([
  'AWS::Lambda::Function',
  'AWS::Lambda::EventSourceMapping',
  'AWS::Lambda::Permission',
  'AWS::DynamoDB::Table',
  'AWS::SNS::Topic',
  'AWS::SQS::Queue',
  'AWS::IAM::Role',
  'AWS::IAM::Policy',
  'AWS::Logs::LogGroup',
]);

/**
 * Types moto 5.2.1's CloudFormation does not create at all (docs/testing.md, "Deploy rehearsal"): a GAP, listed
 * in the run's output. A type outside both sets that moto skips is an undocumented gap and fails the rehearsal.
 */
export const NOT_MODELLED_PATTERNS: readonly RegExp[] = [
  /^AWS::ApiGatewayV2::/,
  /^AWS::SNS::Subscription$/,
  /^AWS::SNS::TopicPolicy$/,
  /^AWS::SQS::QueuePolicy$/,
  /^AWS::CloudWatch::Alarm$/,
  /^AWS::Logs::MetricFilter$/,
];

export type Resource = { Type: string; Properties?: Record<string, any>; Condition?: string };
export type Template = { Resources: Record<string, Resource>; Outputs?: Record<string, { Value: unknown }> };

/** A reference to a resource moto did not create; its message is the logical id (and attribute). */
export class Unresolvable extends Error {
  override readonly name = 'Unresolvable';
}

/** What resolving a reference needs from the deployed stack. */
export interface Deployed {
  /** Logical id → physical id, from ListStackResources. */
  readonly physical: ReadonlyMap<string, string>;
  /** `${logicalId}.${attribute}` → value, for the GetAtt the template uses, read from the services themselves. */
  readonly attributes: ReadonlyMap<string, string>;
  readonly account: string;
  readonly stackName: string;
}

/** Resolves Ref / Fn::GetAtt / Fn::Join / literals the way CloudFormation would. Throws Unresolvable. */
export function resolveValue(value: unknown, deployed: Deployed): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => resolveValue(item, deployed));
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [key, arg] = entries[0];
    if (key === 'Ref') {
      const pseudo: Record<string, string> = {
        'AWS::Region': REGION,
        'AWS::AccountId': deployed.account,
        'AWS::Partition': 'aws',
        'AWS::URLSuffix': 'amazonaws.com',
        'AWS::StackName': deployed.stackName,
      };
      const id = String(arg);
      const found = pseudo[id] ?? deployed.physical.get(id);
      if (found === undefined) throw new Unresolvable(id);
      return found;
    }
    if (key === 'Fn::GetAtt') {
      const [id, attribute] = Array.isArray(arg) ? arg : String(arg).split('.');
      const found = deployed.attributes.get(`${id}.${attribute}`);
      if (found === undefined) throw new Unresolvable(`${id}.${attribute}`);
      return found;
    }
    if (key === 'Fn::Join') {
      const [separator, parts] = arg as [string, unknown[]];
      return parts.map((part) => String(resolveValue(part, deployed))).join(separator);
    }
  }
  return Object.fromEntries(entries.map(([key, inner]) => [key, resolveValue(inner, deployed)]));
}

/** The value if it resolves, else `{ unresolvable: <logical id> }` (a GAP: moto did not create that resource). */
export function tryResolve(value: unknown, deployed: Deployed): { value: unknown } | { unresolvable: string } {
  try {
    return { value: resolveValue(value, deployed) };
  } catch (error) {
    if (error instanceof Unresolvable) return { unresolvable: error.message };
    throw error;
  }
}

export function resourcesOfType(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

/** The logical id a `{ Ref }` names, else undefined. */
export function refTarget(value: unknown): string | undefined {
  return typeof value === 'object' && value !== null && 'Ref' in value ? String((value as { Ref: unknown }).Ref) : undefined;
}

export function asArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** A queue URL's last path segment. */
export function queueName(url: string): string {
  return url.slice(url.lastIndexOf('/') + 1);
}

/** cdk.json's context, which the stack and the function's configuration come from. */
export function readCdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  return cdkJson.context ?? {};
}

/** The function whose environment names the alert topic: the receiver. */
export function receiverOf(template: Template, topicArnVariable: string): [string, Resource][] {
  return resourcesOfType(template, 'AWS::Lambda::Function').filter(
    ([, r]) => r.Properties?.Environment?.Variables?.[topicArnVariable] !== undefined,
  );
}
