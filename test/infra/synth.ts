/**
 * Synthesizes the real app (infra/app.ts buildApp: the stack plus cdk-nag) for a set of context values.
 * Bundling is skipped unless asked for: esbuild costs a second or two per synth and most checks only read
 * the template. Every call gets its own output directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/app';
import type { VoximplantAlertsStack } from '../../infra/stack';

export interface Synthesized {
  readonly app: App;
  readonly stack: VoximplantAlertsStack;
  readonly template: Template;
  /** The template as CloudFormation JSON. */
  readonly json: Record<string, any>;
  readonly outdir: string;
}

const outdirs: string[] = [];

/** For afterAll: removes every output directory this test file created. */
export function removeOutdirs(): void {
  for (const dir of outdirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function synth(context: Record<string, unknown> = {}, options: { bundle?: boolean } = {}): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), 'voximplant-alerts-cdk-'));
  outdirs.push(outdir);
  const { app, stack } = buildApp({
    outdir,
    context: options.bundle ? context : { ...context, 'aws:cdk:bundling-stacks': [] },
  });
  const template = Template.fromStack(stack);
  return { app, stack, template, json: template.toJSON(), outdir };
}

/** Builds the app only (no synthesis): for context values that must throw in the stack's constructor. */
export function construct(context: Record<string, unknown>): void {
  buildApp({ context: { ...context, 'aws:cdk:bundling-stacks': [] } });
}

/** Every chat destination (infra/chat.ts), each with its own severities. */
export const CHAT_CONTEXT = {
  slackWorkspaceId: 'T0123ABCD',
  slackChannelId: 'C0123ABCD',
  slackSeverities: 'critical',
  teamsTenantId: '01234567-89ab-cdef-0123-456789abcdef',
  teamsId: '76543210-89ab-cdef-0123-456789abcdef',
  teamsChannelId: '19%3ab6ef35dc342d56ba5654e6fc6d25a071%40thread.tacv2',
  telegramChatId: '-1001234567890',
  telegramSeverities: '*',
} as const;

/** Full context: subscribers, narrower SMS filter, custom throttling, a customer-managed KMS key, every chat destination. */
export const FULL_CONTEXT = {
  ...CHAT_CONTEXT,
  alertEmail: 'ops@example.com, cfo@example.org',
  alertSms: '+15551234567,+447700900123',
  smsSeverities: 'critical,warning',
  smsAlertTypes: 'min_balance,account_is_frozen',
  alertTypes: '*',
  throttleRate: '5',
  throttleBurst: '8',
  parameterPrefix: '/acme/voximplant',
  kmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  watchInterval: '30',
  alertLanguage: 'ru',
} as const;

type Resource = { Type: string; Properties?: Record<string, any>; Metadata?: Record<string, any>; DeletionPolicy?: string };

export function resourcesOfType(json: Record<string, any>, type: string): Array<[string, Resource]> {
  return Object.entries(json.Resources as Record<string, Resource>).filter(([, r]) => r.Type === type);
}

export function only(json: Record<string, any>, type: string): [string, Resource] {
  const found = resourcesOfType(json, type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0];
}

/** The one resource of `type` whose logical id starts with `idPrefix` (the stack has two tables: DedupeTable, IncidentTable). */
export function named(json: Record<string, any>, type: string, idPrefix: string): [string, Resource] {
  const found = resourcesOfType(json, type).filter(([id]) => id.startsWith(idPrefix));
  if (found.length !== 1) throw new Error(`expected one ${type} named ${idPrefix}*, found ${found.length}`);
  return found[0];
}

/**
 * Renders an intrinsic as a readable string: {Ref: X} becomes ${X}, Fn::Join is joined, Fn::GetAtt becomes
 * ${X.Attr}. Enough to compare ARNs built by the stack with the expected text.
 */
export function render(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const v = value as Record<string, any>;
    if ('Ref' in v) return `\${${v.Ref}}`;
    if ('Fn::GetAtt' in v) return `\${${v['Fn::GetAtt'].join('.')}}`;
    if ('Fn::Join' in v) return (v['Fn::Join'][1] as unknown[]).map(render).join(v['Fn::Join'][0]);
  }
  return JSON.stringify(value);
}
