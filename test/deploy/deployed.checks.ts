/**
 * Tests on the stack the change-set deploy created, read once (aws.ts readDeployed) from each service: the
 * topics, the dedupe table, the queues, the receiver function (configuration, environment, event source,
 * resource policy) and the log groups, each as the template describes it with its references resolved to the
 * real resources. Where moto drops a property, the test prints a GAP and asserts what CloudFormation received.
 * IAM is in iam.checks.ts.
 */
import { isDeepStrictEqual } from 'node:util';
import { DEFAULTS } from '../../lambda/config';
import { DEDUPE_TABLE, ENV, RETRY_QUEUE } from '../../lambda/contract';
import type { DeployedState } from './aws';
import { gap } from './report';
import { idsOf } from './stack.checks';
import {
  asArray,
  CONTEXT,
  receiverOf,
  readCdkJsonContext,
  refTarget,
  resourcesOfType,
  tryResolve,
  type Resource,
  type Template,
} from './template';

const show = (value: unknown) => JSON.stringify(value) ?? String(value);

/** The receiver's resource in the template. */
export function receiverResource(s: DeployedState): Resource {
  return s.template.Resources[s.receiverId];
}

/** The resource as CloudFormation received it (GetTemplate), for what moto does not model. */
function received(s: DeployedState, id: string): Resource | undefined {
  return (s.receivedTemplate as { Resources?: Record<string, Resource> } | undefined)?.Resources?.[id];
}

/** [logical id, property] for each property of `keys` the template sets on a resource of `type`. */
function propertiesSet(template: Template, type: string, keys: readonly string[]): [string, string][] {
  const pairs = resourcesOfType(template, type).flatMap(([id, r]) =>
    keys.filter((k) => r.Properties?.[k] !== undefined).map((k): [string, string] => [id, k]),
  );
  return pairs.length > 0 ? pairs : [[`(no ${type} sets ${keys.join('/')})`, keys[0]]];
}

export function describeDeployed(template: Template, get: () => DeployedState): void {
  describe('SNS', () => {
    it.each(idsOf(template, 'AWS::SNS::Topic'))('topic %s exists (ListTopics, GetTopicAttributes)', (id) => {
      const s = get();
      const arn = s.physical.get(id);
      expect(arn).toBeDefined();
      expect(s.listedTopics.has(arn!)).toBe(true);
      expect(s.topicAttributes.get(id)?.TopicArn).toBe(arn);
    });

    it('as many topics deployed as the template has', () => {
      const s = get();
      expect([...s.topicAttributes.keys()].sort()).toEqual(
        resourcesOfType(s.template, 'AWS::SNS::Topic')
          .map(([id]) => id)
          .sort(),
      );
    });

    it("the context's email and SMS subscribers are subscribed (GAP: moto does not create AWS::SNS::Subscription)", () => {
      const s = get();
      const subscriptions = resourcesOfType(s.template, 'AWS::SNS::Subscription');
      const endpoints = subscriptions.map(([, r]) => [r.Properties?.Protocol, r.Properties?.Endpoint]);
      expect(endpoints).toEqual(
        expect.arrayContaining([
          ['email', CONTEXT.alertEmail],
          ['sms', CONTEXT.alertSms],
        ]),
      );
      for (const [id, resource] of subscriptions) {
        const topic = tryResolve(resource.Properties?.TopicArn, s);
        if (!s.physical.has(id) || !('value' in topic)) {
          expect(received(s, id)?.Properties).toEqual(resource.Properties);
          continue;
        }
        const listed = s.subscriptions.get(String(topic.value)) ?? [];
        const found = listed.some((l) => l.Protocol === resource.Properties?.Protocol && l.Endpoint === resource.Properties?.Endpoint);
        expect({ id, found }).toEqual({ id, found: true });
      }
    });
  });

  describe('DynamoDB', () => {
    it.each(idsOf(template, 'AWS::DynamoDB::Table'))('table %s is ACTIVE (DescribeTable)', (id) => {
      expect(get().tables.get(id)?.table?.TableStatus).toBe('ACTIVE');
    });

    it.each(
      idsOf(template, 'AWS::DynamoDB::Table').flatMap((id) => ['KeySchema', 'AttributeDefinitions', 'BillingMode'].map((key) => [id, key])),
    )('table %s: %s as the template says', (id, key) => {
      const s = get();
      const table = s.tables.get(id)?.table;
      const props = s.template.Resources[id]?.Properties ?? {};
      if (key === 'BillingMode') expect(table?.BillingModeSummary?.BillingMode ?? 'PROVISIONED').toBe(props.BillingMode ?? 'PROVISIONED');
      else expect(table?.[key as 'KeySchema' | 'AttributeDefinitions']).toEqual(props[key]);
    });

    it.each(idsOf(template, 'AWS::DynamoDB::Table'))(
      "table %s: TTL on the template's attribute (DescribeTimeToLive; GAP: moto ignores TimeToLiveSpecification)",
      (tableId) => {
        const s = get();
        const withTtl = resourcesOfType(s.template, 'AWS::DynamoDB::Table').filter(
          ([id, r]) => id === tableId && r.Properties?.TimeToLiveSpecification,
        );
        expect(withTtl).toHaveLength(1);
        for (const [id, resource] of withTtl) {
          const ttl = resource.Properties!.TimeToLiveSpecification as { AttributeName: string };
          const described = s.tables.get(id)?.ttl;
          if (described?.TimeToLiveStatus === 'ENABLED' || described?.TimeToLiveStatus === 'ENABLING') {
            expect(described.AttributeName).toBe(ttl.AttributeName);
          } else {
            gap(
              `${id} TTL on ${ttl.AttributeName}: DescribeTimeToLive says ${described?.TimeToLiveStatus}`,
              `CloudFormation received ${show(ttl)}`,
            );
            expect(received(s, id)?.Properties?.TimeToLiveSpecification).toEqual(ttl);
          }
        }
      },
    );

    it(`the dedupe table (${ENV.dedupeTableName}) has key ${DEDUPE_TABLE.partitionKey} and TTL on ${DEDUPE_TABLE.ttlAttribute} in the template`, () => {
      const s = get();
      const id = refTarget(receiverResource(s).Properties?.Environment?.Variables?.[ENV.dedupeTableName]);
      const props = id ? s.template.Resources[id]?.Properties : undefined;
      expect([props?.KeySchema?.[0]?.AttributeName, props?.TimeToLiveSpecification]).toEqual([
        DEDUPE_TABLE.partitionKey,
        { AttributeName: DEDUPE_TABLE.ttlAttribute, Enabled: true },
      ]);
    });
  });

  describe('SQS', () => {
    it.each(idsOf(template, 'AWS::SQS::Queue'))('queue %s exists with an ARN (GetQueueUrl, GetQueueAttributes)', (id) => {
      const q = get().queues.get(id);
      expect(q?.url).toBeDefined();
      expect(q?.attributes?.QueueArn).toMatch(/^arn:aws:sqs:/);
    });

    it('as many queues deployed as the template has', () => {
      const s = get();
      expect([...s.queues.keys()].sort()).toEqual(
        resourcesOfType(s.template, 'AWS::SQS::Queue')
          .map(([id]) => id)
          .sort(),
      );
    });

    it.each(
      propertiesSet(template, 'AWS::SQS::Queue', [
        'VisibilityTimeout',
        'MessageRetentionPeriod',
        'DelaySeconds',
        'ReceiveMessageWaitTimeSeconds',
      ]),
    )('queue %s: %s as the template says', (id, key) => {
      const s = get();
      expect(s.queues.get(id)?.attributes?.[key]).toBe(String(s.template.Resources[id]?.Properties?.[key]));
    });

    it.each(propertiesSet(template, 'AWS::SQS::Queue', ['SqsManagedSseEnabled']).map(([id]) => id))(
      'queue %s: SQS-managed encryption as the template says (GAP when moto does not report it)',
      (id) => {
        const s = get();
        const want = s.template.Resources[id]?.Properties?.SqsManagedSseEnabled;
        expect(want).toBeDefined();
        const got = s.queues.get(id)?.attributes?.SqsManagedSseEnabled;
        if (got !== undefined) {
          expect({ id, sse: got }).toEqual({ id, sse: String(want) });
        } else {
          gap(`${id} SqsManagedSseEnabled: moto does not report it`, `CloudFormation received SqsManagedSseEnabled ${show(want)}`);
          expect(received(s, id)?.Properties?.SqsManagedSseEnabled).toBe(want);
        }
      },
    );

    it.each(propertiesSet(template, 'AWS::SQS::Queue', ['RedrivePolicy']).map(([id]) => id))(
      'queue %s: dead-letter target and maxReceiveCount as the template says',
      (id) => {
        const s = get();
        const resource = s.template.Resources[id];
        expect(resource?.Properties?.RedrivePolicy).toBeDefined();
        const redrive = JSON.parse(s.queues.get(id)?.attributes?.RedrivePolicy ?? '{}') as {
          deadLetterTargetArn?: string;
          maxReceiveCount?: number | string;
        };
        const target = tryResolve(resource.Properties!.RedrivePolicy.deadLetterTargetArn, s);
        expect({ id, target: redrive.deadLetterTargetArn, max: Number(redrive.maxReceiveCount) }).toEqual({
          id,
          target: 'value' in target ? target.value : target,
          max: Number(resource.Properties!.RedrivePolicy.maxReceiveCount),
        });
      },
    );

    it(`the retry queue (${ENV.retryQueueUrl}) has RETRY_QUEUE's maxReceiveCount and visibility timeout (lambda/contract.ts)`, () => {
      const s = get();
      const id = refTarget(receiverResource(s).Properties?.Environment?.Variables?.[ENV.retryQueueUrl]);
      const attrs = (id && s.queues.get(id)?.attributes) || {};
      const redrive = JSON.parse(attrs.RedrivePolicy ?? '{}') as { maxReceiveCount?: number | string };
      expect([Number(redrive.maxReceiveCount), attrs.VisibilityTimeout]).toEqual([
        RETRY_QUEUE.maxReceiveCount,
        String(RETRY_QUEUE.visibilityTimeoutSeconds),
      ]);
    });
  });

  describe('Lambda: the receiver', () => {
    it('exists and is Active (GetFunctionConfiguration)', () => {
      const s = get();
      process.stdout.write(`    (the receiver: ${summary(receiverResource(s))})\n`);
      expect(s.fn?.State).toBe('Active');
    });

    it.each(['Runtime', 'MemorySize', 'Timeout', 'Handler'] as const)('%s is as the template says', (key) => {
      const s = get();
      expect(s.fn?.[key]).toBe(receiverResource(s).Properties?.[key]);
    });

    it("architecture is the template's (GAP: moto drops Architectures and reports x86_64)", () => {
      const s = get();
      const want = asArray<string>(receiverResource(s).Properties?.Architectures);
      const got = asArray<string>(s.fn?.Architectures);
      if (isDeepStrictEqual(got, want.length ? want : ['x86_64'])) return;
      expect(got).toEqual(['x86_64']);
      gap(`architecture: moto reports ${show(got)}, the stack says ${show(want)}`, `CloudFormation received Architectures ${show(want)}`);
      expect(received(s, s.receiverId)?.Properties?.Architectures).toEqual(want);
    });

    it('code was uploaded from the asset bucket (CodeSize > 0)', () => {
      expect(Number(get().fn?.CodeSize)).toBeGreaterThan(0);
    });

    it("its role is the template's role", () => {
      const s = get();
      const roleId = (receiverResource(s).Properties?.Role?.['Fn::GetAtt'] ?? [])[0] as string | undefined;
      expect(s.fn?.Role).toBeDefined();
      expect(s.fn?.Role).toBe(roleId ? s.roles.get(roleId)?.role.Arn : 'the template names no role');
    });

    it.each(
      Object.keys(
        template.Resources[receiverIdOf(template)]?.Properties?.Environment?.Variables ?? { '(the receiver has no environment)': 0 },
      ),
    )("environment %s is the template's value, references resolved to the real resources (GAP: what moto did not create)", (name) => {
      const s = get();
      const env = s.fn?.Environment?.Variables ?? {};
      const value = (receiverResource(s).Properties?.Environment?.Variables ?? {})[name];
      expect(value).toBeDefined();
      const resolved = tryResolve(value, s);
      if ('value' in resolved) expect(env[name]).toEqual(resolved.value);
      else gap(`environment ${name} refers to ${resolved.unresolvable}, which moto did not create`, `deployed value ${show(env[name])}`);
    });

    it('has no environment variable beyond the template', () => {
      const s = get();
      expect(Object.keys(s.fn?.Environment?.Variables ?? {}).sort()).toEqual(
        Object.keys(receiverResource(s).Properties?.Environment?.Variables ?? {}).sort(),
      );
    });

    it(`${ENV.parameterPrefix} and ${ENV.alertTypes} come from cdk.json's context`, () => {
      const env = get().fn?.Environment?.Variables ?? {};
      const context = readCdkJsonContext();
      expect([env[ENV.parameterPrefix], env[ENV.alertTypes]]).toEqual([
        String(context.parameterPrefix ?? DEFAULTS.parameterPrefix),
        String(context.alertTypes ?? DEFAULTS.alertTypes),
      ]);
    });

    it.each([
      [ENV.dedupeTableName, 'dedupe table', (s: DeployedState, id: string) => s.tables.get(id)?.table?.TableStatus === 'ACTIVE'],
      [ENV.topicArn, 'alert topic', (s: DeployedState, id: string) => s.listedTopics.has(s.physical.get(id) ?? '')],
      [ENV.retryQueueUrl, 'retry queue', (s: DeployedState, id: string) => !!s.queues.get(id)?.attributes?.QueueArn],
    ])("%s names the stack's %s, which exists", (variable, _what, exists) => {
      const s = get();
      const id = refTarget(receiverResource(s).Properties?.Environment?.Variables?.[variable]);
      expect(id).toBeDefined();
      expect({ value: s.fn?.Environment?.Variables?.[variable], exists: exists(s, id!) }).toEqual({
        value: s.physical.get(id!),
        exists: true,
      });
    });

    it.each(idsOf(template, 'AWS::Lambda::EventSourceMapping'))(
      'event source mapping %s: source queue, this function, Enabled, batch size and response types as the template says',
      (id) => {
        const s = get();
        const resource = s.template.Resources[id];
        expect(resource).toBeDefined();
        const mapping = s.mappings.find((m) => m.UUID === s.physical.get(id));
        const props = resource.Properties ?? {};
        const source = tryResolve(props.EventSourceArn, s);
        expect({ id, source: mapping?.EventSourceArn, fn: mapping?.FunctionArn, state: mapping?.State }).toEqual({
          id,
          source: 'value' in source ? source.value : source,
          fn: s.fn?.FunctionArn,
          state: 'Enabled',
        });
        if (props.BatchSize !== undefined) expect({ id, batch: mapping?.BatchSize }).toEqual({ id, batch: props.BatchSize });
        if (props.FunctionResponseTypes)
          expect({ id, types: mapping?.FunctionResponseTypes }).toEqual({ id, types: props.FunctionResponseTypes });
      },
    );

    it('its resource policy has one statement per AWS::Lambda::Permission (GAP: their SourceArn names API "None")', () => {
      const s = get();
      // The receiver's own permissions (the watchdog's schedule has one on the watchdog function).
      const permissions = resourcesOfType(s.template, 'AWS::Lambda::Permission').filter(([, r]) =>
        JSON.stringify(r.Properties?.FunctionName ?? '').includes(`"${s.receiverId}"`),
      ).length;
      if (permissions === 0) return expect('error' in s.policy ? [] : s.policy.statements).toEqual([]);
      expect('statements' in s.policy ? s.policy.statements.length : s.policy).toBe(permissions);
      const statements = 'statements' in s.policy ? s.policy.statements : [];
      process.stdout.write(`    (invoke permissions for ${[...new Set(statements.map((st) => st.Principal?.Service))].join(', ')})\n`);
      if (statements.some((st) => /:None\//.test(JSON.stringify(st.Condition ?? {})))) {
        gap(
          'resource policy SourceArn names API "None": the HTTP API was not created; moto writes its unresolved Ref as "None"',
          'the statement count and principals',
        );
      }
    });
  });

  describe('CloudWatch Logs', () => {
    it.each(idsOf(template, 'AWS::Logs::LogGroup'))("log group %s exists with the template's retention (DescribeLogGroups)", (id) => {
      const s = get();
      const resource = s.template.Resources[id];
      const group = s.logGroups.find((g) => g.logGroupName === s.physical.get(id));
      expect({ id, exists: !!group }).toEqual({ id, exists: true });
      const retention = resource.Properties?.RetentionInDays;
      if (retention !== undefined) expect({ id, retention: group?.retentionInDays }).toEqual({ id, retention });
    });
  });
}

function receiverIdOf(template: Template): string {
  return receiverOf(template, ENV.retryQueueUrl)[0]?.[0] ?? '(no receiver)';
}

function summary(resource: Resource): string {
  const p = resource.Properties ?? {};
  return `${p.Runtime}, ${asArray(p.Architectures).join('/') || 'x86_64'}, ${p.MemorySize} MB, ${p.Timeout} s, ${p.Handler}`;
}
