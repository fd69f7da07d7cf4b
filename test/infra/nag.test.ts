/**
 * cdk-nag (AwsSolutions) over the real app, for the default and the full context: no unacknowledged
 * finding at any level, and the acknowledgements are exactly the reviewed ones, each with a reason.
 * infra/app.ts registers the same pack, so `cdk synth` itself fails on a new finding.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { buildApp } from '../../infra/app';
import { FULL_CONTEXT, removeOutdirs, synth, type Synthesized } from './synth';

afterAll(removeOutdirs);

let variants: Array<[string, Synthesized]>;

beforeAll(() => {
  // synth() registers AwsSolutionsChecks through buildApp: it would already throw on an error-level finding.
  variants = [
    ['defaults', synth()],
    ['full context', synth(FULL_CONTEXT)],
  ];
});

it.each([0, 1])('AwsSolutions reports no errors and no warnings (variant %i)', (i) => {
  const [, { app }] = variants[i];
  const report = new AwsSolutionsChecks().validateScope(app);
  const findings = report.violations.map(
    (v) => `${v.ruleName} (${v.severity}) ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
  );
  expect(findings).toEqual([]);
  expect(report.success).toBe(true);
});

/** `construct path: rule id` for every acknowledgement recorded with Validations.of(...).acknowledge(). */
function acknowledgements(root: IConstruct): Map<string, string> {
  const found = new Map<string, string>();
  for (const node of root.node.findAll()) {
    for (const entry of node.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        found.set(`${node.node.path}: ${id.replace(/^annotation::/i, '')}`, reason);
      }
    }
  }
  return found;
}

it('acknowledges only the reviewed findings, on the narrowest constructs, each with a specific reason', () => {
  const [, { app }] = variants[1];
  const acks = acknowledgements(app);
  expect([...acks.keys()].sort()).toEqual([
    'VoximplantAlerts/Api/GET--: AwsSolutions-APIG4',
    'VoximplantAlerts/Api/GET--ack--{token}: AwsSolutions-APIG4',
    'VoximplantAlerts/Api/POST--: AwsSolutions-APIG4',
    'VoximplantAlerts/Api/POST--ack--{token}: AwsSolutions-APIG4',
    'VoximplantAlerts/Chat/Failures: AwsSolutions-SQS3',
    'VoximplantAlerts/DedupeTable: AwsSolutions-DDB3',
    'VoximplantAlerts/IncidentTable: AwsSolutions-DDB3',
    'VoximplantAlerts/RetryDeadLetterQueue: AwsSolutions-SQS3',
  ]);
  for (const reason of acks.values()) expect(reason.length).toBeGreaterThan(80);
});

it('infra/app.ts wires the pack into synthesis: a new finding fails the synth', () => {
  const { app, stack } = buildApp({
    outdir: mkdtempSync(join(tmpdir(), 'voximplant-alerts-cdk-')),
    context: { 'aws:cdk:bundling-stacks': [] },
  });
  new Topic(stack, 'TopicWithoutTlsPolicy');
  try {
    expect(() => app.synth()).toThrow(/AwsSolutions-SNS3/);
  } finally {
    rmSync(app.outdir, { recursive: true, force: true });
  }
});
