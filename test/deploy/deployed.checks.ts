/**
 * Tests on the stack the change-set deploy created, read once (aws.ts readDeployed) from each service: the
 * topics, the dedupe table, the queues, the receiver function (configuration, environment, event source,
 * resource policy) and the log groups, each as the template describes it with its references resolved to the
 * real resources. Where moto drops a property, the test prints a GAP and asserts what CloudFormation received.
 * IAM is in iam.checks.ts.
 */
import { isDeepStrictEqual } from 'node:util';
import { DEFAULTS } from '../../lambda/config';
import { DEDUPE_TABLE, ENV, RETRY_QUEUE } from '../../lambda/names';
import type { DeployedState } from './aws';
import { gap } from './report';
import { asArray, CONTEXT, readCdkJsonContext, refTarget, resourcesOfType, tryResolve, type Resource } from './template';

const show = (value: unknown) => JSON.stringify(value) ?? String(value);

/** The receiver's resource in the template. */
export function receiverResource(s: DeployedState): Resource {
  return s.template.Resources[s.receiverId];
}

/** The resource as CloudFormation received it (GetTemplate), for what moto does not model. */
function received(s: DeployedState, id: string): Resource | undefined {
  return (s.receivedTemplate as { Resources?: Record<string, Resource> } | undefined)?.Resources?.[id];
}

export function describeDeployed(get: () => DeployedState): void {
  describe('SNS', () => {
    it('every topic of the template exists (ListTopics, GetTopicAttributes), as many as the template has', () => {
      const s = get();
      const topics = resourcesOfType(s.template, 'AWS::SNS::Topic');
      expect(topics.length).toBeGreaterThan(0);
      for (const [id] of topics) {
        const arn = s.physical.get(id);
        expect({ id, listed: !!arn && s.listedTopics.has(arn), arn: s.topicAttributes.get(id)?.TopicArn }).toEqual({ id, listed: true, arn });
      }
    });

    it("the context's email and SMS subscribers are subscribed (GAP: moto does not create AWS::SNS::Subscription)", () => {
      const s = get();
      const subscriptions = resourcesOfType(s.template, 'AWS::SNS::Subscription');
      const endpoints = subscriptions.map(([, r]) => [r.Properties?.Protocol, r.Properties?.Endpoint]);
      expect(endpoints).toEqual(expect.arrayContaining([['email', CONTEXT.alertEmail], ['sms', CONTEXT.alertSms]]));
      for (const [id, resource] of subscriptions) {
        const topic = tryResolve(resource.Properties?.TopicArn, s);
        if (!s.physical.has(id) || !('value' in topic)) {
          gap(`subscription ${id} (${resource.Properties?.Protocol}) not created by moto`, 'the template CloudFormation received subscribes it');
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
    it('every table is ACTIVE (DescribeTable)', () => {
      const s = get();
      expect(s.tables.size).toBe(resourcesOfType(s.template, 'AWS::DynamoDB::Table').length);
      for (const [id, { table }] of s.tables) expect({ id, status: table?.TableStatus }).toEqual({ id, status: 'ACTIVE' });
    });

    it('key schema, attribute definitions and billing mode are as the template says', () => {
      const s = get();
      for (const [id, resource] of resourcesOfType(s.template, 'AWS::DynamoDB::Table')) {
        const table = s.tables.get(id)?.table;
        const props = resource.Properties ?? {};
        expect({ id, keys: table?.KeySchema, attributes: table?.AttributeDefinitions, billing: table?.BillingModeSummary?.BillingMode ?? 'PROVISIONED' }).toEqual({
          id,
          keys: props.KeySchema,
          attributes: props.AttributeDefinitions,
          billing: props.BillingMode ?? 'PROVISIONED',
        });
      }
    });

    it('TTL is on the template\'s attribute (DescribeTimeToLive; GAP: moto ignores TimeToLiveSpecification)', () => {
      const s = get();
      const withTtl = resourcesOfType(s.template, 'AWS::DynamoDB::Table').filter(([, r]) => r.Properties?.TimeToLiveSpecification);
      expect(withTtl.length).toBeGreaterThan(0);
      for (const [id, resource] of withTtl) {
        const ttl = resource.Properties!.TimeToLiveSpecification as { AttributeName: string };
        const described = s.tables.get(id)?.ttl;
        if (described?.TimeToLiveStatus === 'ENABLED' || described?.TimeToLiveStatus === 'ENABLING') {
          expect(described.AttributeName).toBe(ttl.AttributeName);
        } else {
          gap(`${id} TTL on ${ttl.AttributeName}: DescribeTimeToLive says ${described?.TimeToLiveStatus}`, `CloudFormation received ${show(ttl)}`);
          expect(received(s, id)?.Properties?.TimeToLiveSpecification).toEqual(ttl);
        }
      }
    });

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
    it('every queue exists with an ARN (GetQueueUrl, GetQueueAttributes), as many as the template has', () => {
      const s = get();
      const queues = resourcesOfType(s.template, 'AWS::SQS::Queue');
      expect(queues.length).toBeGreaterThan(0);
      expect(s.queues.size).toBe(queues.length);
      for (const [id, q] of s.queues) expect({ id, url: !!q.url, arn: !!q.attributes?.QueueArn }).toEqual({ id, url: true, arn: true });
    });

    it('visibility timeout, retention, delay and wait time are as the template says', () => {
      const s = get();
      for (const [id, resource] of resourcesOfType(s.template, 'AWS::SQS::Queue')) {
        const attrs = s.queues.get(id)?.attributes ?? {};
        for (const key of ['VisibilityTimeout', 'MessageRetentionPeriod', 'DelaySeconds', 'ReceiveMessageWaitTimeSeconds']) {
          const want = resource.Properties?.[key];
          if (want !== undefined) expect({ id, key, value: attrs[key] }).toEqual({ id, key, value: String(want) });
        }
      }
    });

    it('SQS-managed encryption is as the template says (GAP when moto does not report SqsManagedSseEnabled)', () => {
      const s = get();
      for (const [id, resource] of resourcesOfType(s.template, 'AWS::SQS::Queue')) {
        const want = resource.Properties?.SqsManagedSseEnabled;
        if (want === undefined) continue;
        const got = s.queues.get(id)?.attributes?.SqsManagedSseEnabled;
        if (got !== undefined) {
          expect({ id, sse: got }).toEqual({ id, sse: String(want) });
        } else {
          gap(`${id} SqsManagedSseEnabled: moto does not report it`, `CloudFormation received SqsManagedSseEnabled ${show(want)}`);
          expect(received(s, id)?.Properties?.SqsManagedSseEnabled).toBe(want);
        }
      }
    });

    it('dead-letter target and maxReceiveCount are as the template says', () => {
      const s = get();
      const withRedrive = resourcesOfType(s.template, 'AWS::SQS::Queue').filter(([, r]) => r.Properties?.RedrivePolicy);
      expect(withRedrive.length).toBeGreaterThan(0);
      for (const [id, resource] of withRedrive) {
        const redrive = JSON.parse(s.queues.get(id)?.attributes?.RedrivePolicy ?? '{}') as { deadLetterTargetArn?: string; maxReceiveCount?: number | string };
        const target = tryResolve(resource.Properties!.RedrivePolicy.deadLetterTargetArn, s);
        expect({ id, target: redrive.deadLetterTargetArn, max: Number(redrive.maxReceiveCount) }).toEqual({
          id,
          target: 'value' in target ? target.value : target,
          max: Number(resource.Properties!.RedrivePolicy.maxReceiveCount),
        });
      }
    });

    it(`the retry queue (${ENV.retryQueueUrl}) has RETRY_QUEUE's maxReceiveCount and visibility timeout (lambda/names.ts)`, () => {
      const s = get();
      const id = refTarget(receiverResource(s).Properties?.Environment?.Variables?.[ENV.retryQueueUrl]);
      const attrs = (id && s.queues.get(id)?.attributes) || {};
      const redrive = JSON.parse(attrs.RedrivePolicy ?? '{}') as { maxReceiveCount?: number | string };
      expect([Number(redrive.maxReceiveCount), attrs.VisibilityTimeout]).toEqual([RETRY_QUEUE.maxReceiveCount, String(RETRY_QUEUE.visibilityTimeoutSeconds)]);
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

    it('every environment variable of the template, references resolved to the real resources (GAP for what moto did not create)', () => {
      const s = get();
      const env = s.fn?.Environment?.Variables ?? {};
      const templateEnv = (receiverResource(s).Properties?.Environment?.Variables ?? {}) as Record<string, unknown>;
      expect(Object.keys(templateEnv).length).toBeGreaterThan(0);
      for (const [name, value] of Object.entries(templateEnv)) {
        const resolved = tryResolve(value, s);
        if ('value' in resolved) expect({ name, value: env[name] }).toEqual({ name, value: resolved.value });
        else gap(`environment ${name} refers to ${resolved.unresolvable}, which moto did not create`, `deployed value ${show(env[name])}`);
      }
    });

    it('has no environment variable beyond the template', () => {
      const s = get();
      expect(Object.keys(s.fn?.Environment?.Variables ?? {}).sort()).toEqual(Object.keys(receiverResource(s).Properties?.Environment?.Variables ?? {}).sort());
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
      expect({ value: s.fn?.Environment?.Variables?.[variable], exists: exists(s, id!) }).toEqual({ value: s.physical.get(id!), exists: true });
    });

    it('the event source mappings: source queue, this function, Enabled, batch size and response types as the template says', () => {
      const s = get();
      const templated = resourcesOfType(s.template, 'AWS::Lambda::EventSourceMapping');
      expect(templated.length).toBeGreaterThan(0);
      for (const [id, resource] of templated) {
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
        if (props.FunctionResponseTypes) expect({ id, types: mapping?.FunctionResponseTypes }).toEqual({ id, types: props.FunctionResponseTypes });
      }
    });

    it('its resource policy has one statement per AWS::Lambda::Permission (GAP: their SourceArn names API "None")', () => {
      const s = get();
      const permissions = resourcesOfType(s.template, 'AWS::Lambda::Permission').length;
      if (permissions === 0) return expect('error' in s.policy ? [] : s.policy.statements).toEqual([]);
      expect('statements' in s.policy ? s.policy.statements.length : s.policy).toBe(permissions);
      const statements = 'statements' in s.policy ? s.policy.statements : [];
      process.stdout.write(`    (invoke permissions for ${[...new Set(statements.map((st) => st.Principal?.Service))].join(', ')})\n`);
      if (statements.some((st) => /:None\//.test(JSON.stringify(st.Condition ?? {})))) {
        gap('resource policy SourceArn names API "None": the HTTP API was not created; moto writes its unresolved Ref as "None"', 'the statement count and principals');
      }
    });
  });

  describe('CloudWatch Logs', () => {
    it("every log group exists with the template's retention (DescribeLogGroups)", () => {
      const s = get();
      for (const [id, resource] of resourcesOfType(s.template, 'AWS::Logs::LogGroup')) {
        const group = s.logGroups.find((g) => g.logGroupName === s.physical.get(id));
        expect({ id, exists: !!group }).toEqual({ id, exists: true });
        const retention = resource.Properties?.RetentionInDays;
        if (retention !== undefined) expect({ id, retention: group?.retentionInDays }).toEqual({ id, retention });
      }
    });
  });
}

function summary(resource: Resource): string {
  const p = resource.Properties ?? {};
  return `${p.Runtime}, ${asArray(p.Architectures).join('/') || 'x86_64'}, ${p.MemorySize} MB, ${p.Timeout} s, ${p.Handler}`;
}
