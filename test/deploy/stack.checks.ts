/**
 * Tests shared by both deploys of the rehearsal: the stack as CloudFormation reports it (status, the template it
 * received, which resources moto created and which types it skips), and after each `cdk destroy` that every
 * resource the deploy made is gone. Each `describe…` registers named tests over state read by the caller.
 */
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { ListTopicsCommand } from '@aws-sdk/client-sns';
import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { errorName, readLogGroups, type Clients, type StackState } from './aws';
import { gap } from './report';
import { MODELLED_TYPES, NOT_MODELLED_PATTERNS, queueName, resourcesOfType, type Template } from './template';

/** What a deploy created (logical id → physical id), read before `cdk destroy` to look for afterwards. */
export interface Snapshot {
  readonly stackName: string;
  readonly physical: ReadonlyMap<string, string>;
}

/** Which template resources moto did not create, by type. */
function skippedTypes(template: Template, physical: ReadonlyMap<string, string>): Map<string, string[]> {
  const skipped = new Map<string, string[]>();
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (!physical.has(id)) skipped.set(resource.Type, [...(skipped.get(resource.Type) ?? []), id]);
  }
  return skipped;
}

/** Status, received template, created and skipped resources. `reportGaps` prints the skipped types as GAPs. */
export function describeStack(get: () => { template: Template; state: StackState }, { reportGaps }: { reportGaps: boolean }): void {
  it('the stack is CREATE_COMPLETE (DescribeStacks)', () => {
    expect(get().state.stack?.StackStatus).toBe('CREATE_COMPLETE');
  });

  it('CloudFormation received exactly the synthesized template (GetTemplate)', () => {
    const { template, state } = get();
    expect(state.receivedTemplate).toEqual(template);
  });

  it('every resource moto lists is *_COMPLETE (ListStackResources)', () => {
    const { state } = get();
    const named = state.summaries.filter((s) => s.LogicalResourceId);
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((s) => !/_COMPLETE$/.test(s.ResourceStatus ?? '')).map((s) => [s.LogicalResourceId, s.ResourceStatus])).toEqual([]);
  });

  it(`every ${[...MODELLED_TYPES].map((t) => t.replace(/^AWS::/, '')).join(', ')} of the template was created`, () => {
    const { template, state } = get();
    const missing = [...skippedTypes(template, state.physical)].filter(([type]) => MODELLED_TYPES.has(type));
    expect(missing).toEqual([]);
  });

  it('moto skips only the types docs/testing.md lists as not modelled (each printed as a GAP)', () => {
    const { template, state } = get();
    const skipped = skippedTypes(template, state.physical);
    if (reportGaps) {
      for (const [type, ids] of skipped) {
        gap(
          `${type} x${ids.length} not created: moto's CloudFormation does not model it (${ids.join(', ')})`,
          'the template has it; test/infra checks its properties',
        );
      }
    }
    const undocumented = [...skipped.keys()].filter((type) => !NOT_MODELLED_PATTERNS.some((p) => p.test(type)));
    expect(undocumented).toEqual([]);
  });
}

/** Logical ids of the template's resources of `type`, for test names (a placeholder row when there are none, which fails). */
export function idsOf(template: Template, type: string): string[] {
  const ids = resourcesOfType(template, type).map(([id]) => id);
  return ids.length > 0 ? ids : [`(no ${type} in the template)`];
}

/** The physical name the deploy gave a logical id; a test fails when there is none. */
function physicalOf(snapshot: Snapshot, id: string): string {
  const name = snapshot.physical.get(id);
  if (!name) throw new Error(`${id} was not created by the deploy`);
  return name;
}

/** After `cdk destroy --force`: the stack and each resource the deploy made are gone, read from each service. */
export function describeGone(template: Template, get: () => { clients: Clients; snapshot: Snapshot }): void {
  it('the stack is deleted (DescribeStacks fails or says DELETE_COMPLETE)', async () => {
    const { clients, snapshot } = get();
    const status = await clients.cloudformation.send(new DescribeStacksCommand({ StackName: snapshot.stackName })).then(
      (r) => r.Stacks?.[0]?.StackStatus,
      () => 'DELETE_COMPLETE',
    );
    expect(status).toBe('DELETE_COMPLETE');
  });

  it.each(resourcesOfType(template, 'AWS::Lambda::Function').map(([id]) => id))(
    'function %s is gone (ResourceNotFoundException)',
    async (id) => {
      const { clients, snapshot } = get();
      expect(await errorName(clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: physicalOf(snapshot, id) })))).toBe(
        'ResourceNotFoundException',
      );
    },
  );

  it.each(idsOf(template, 'AWS::DynamoDB::Table'))('table %s is gone (DescribeTable)', async (id) => {
    const { clients, snapshot } = get();
    expect(await errorName(clients.dynamodb.send(new DescribeTableCommand({ TableName: physicalOf(snapshot, id) })))).toBe(
      'ResourceNotFoundException',
    );
  });

  it.each(idsOf(template, 'AWS::SNS::Topic'))('topic %s is gone (ListTopics)', async (id) => {
    const { clients, snapshot } = get();
    const topics = (await clients.sns.send(new ListTopicsCommand({}))).Topics?.map((t) => t.TopicArn) ?? [];
    expect(topics).not.toContain(physicalOf(snapshot, id));
  });

  it.each(idsOf(template, 'AWS::SQS::Queue'))('queue %s is gone (GetQueueUrl)', async (id) => {
    const { clients, snapshot } = get();
    const error = await errorName(clients.sqs.send(new GetQueueUrlCommand({ QueueName: queueName(physicalOf(snapshot, id)) })));
    expect(error).toMatch(/NonExistentQueue|QueueDoesNotExist/);
  });

  it.each(idsOf(template, 'AWS::IAM::Role'))('role %s is gone (GetRole: NoSuchEntity)', async (id) => {
    const { clients, snapshot } = get();
    expect(await errorName(clients.iam.send(new GetRoleCommand({ RoleName: physicalOf(snapshot, id) })))).toMatch(/NoSuchEntity/);
  });

  it.each(idsOf(template, 'AWS::Logs::LogGroup'))('log group %s is gone (DescribeLogGroups)', async (id) => {
    const { clients, snapshot } = get();
    const remaining = (await readLogGroups(clients, snapshot.stackName)).map((g) => g.logGroupName);
    expect(remaining).not.toContain(physicalOf(snapshot, id));
  });
}
