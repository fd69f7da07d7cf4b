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
import { ENV } from '../../lambda/names';
import { errorName, readLogGroups, type Clients, type StackState } from './aws';
import { gap } from './report';
import { MODELLED_TYPES, NOT_MODELLED_PATTERNS, queueName, receiverOf, resourcesOfType, type Template } from './template';

/** The physical names a deploy created, to look for after `cdk destroy`. */
export interface Snapshot {
  readonly stackName: string;
  readonly functionName: string;
  readonly tableNames: string[];
  readonly topicArns: string[];
  readonly queueNames: string[];
  readonly roleNames: string[];
  readonly logGroupNames: string[];
}

export function snapshotOf(template: Template, stackName: string, physical: ReadonlyMap<string, string>): Snapshot {
  const ids = (type: string) => resourcesOfType(template, type).map(([id]) => physical.get(id)).filter((v): v is string => !!v);
  const receiverId = receiverOf(template, ENV.topicArn)[0]?.[0];
  return {
    stackName,
    functionName: (receiverId && physical.get(receiverId)) || '',
    tableNames: ids('AWS::DynamoDB::Table'),
    topicArns: ids('AWS::SNS::Topic'),
    queueNames: ids('AWS::SQS::Queue').map(queueName),
    roleNames: ids('AWS::IAM::Role'),
    logGroupNames: ids('AWS::Logs::LogGroup'),
  };
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

  it("moto skips only the types docs/testing.md lists as not modelled (each printed as a GAP)", () => {
    const { template, state } = get();
    const skipped = skippedTypes(template, state.physical);
    if (reportGaps) {
      for (const [type, ids] of skipped) {
        gap(`${type} x${ids.length} not created: moto's CloudFormation does not model it (${ids.join(', ')})`, 'the template has it; test/infra checks its properties');
      }
    }
    const undocumented = [...skipped.keys()].filter((type) => !NOT_MODELLED_PATTERNS.some((p) => p.test(type)));
    expect(undocumented).toEqual([]);
  });
}

/** After `cdk destroy --force`: the stack and each resource of `get()` are gone, read from each service. */
export function describeGone(get: () => { clients: Clients; snapshot: Snapshot }): void {
  it('the stack is deleted (DescribeStacks fails or says DELETE_COMPLETE)', async () => {
    const { clients, snapshot } = get();
    const status = await clients.cloudformation.send(new DescribeStacksCommand({ StackName: snapshot.stackName })).then(
      (r) => r.Stacks?.[0]?.StackStatus,
      () => 'DELETE_COMPLETE',
    );
    expect(status).toBe('DELETE_COMPLETE');
  });

  it('the function is gone (ResourceNotFoundException)', async () => {
    const { clients, snapshot } = get();
    expect(snapshot.functionName).not.toBe('');
    expect(await errorName(clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: snapshot.functionName })))).toBe('ResourceNotFoundException');
  });

  it('the tables are gone (DescribeTable)', async () => {
    const { clients, snapshot } = get();
    expect(snapshot.tableNames.length).toBeGreaterThan(0);
    for (const name of snapshot.tableNames) {
      expect({ name, error: await errorName(clients.dynamodb.send(new DescribeTableCommand({ TableName: name }))) }).toEqual({ name, error: 'ResourceNotFoundException' });
    }
  });

  it('the topics are gone (ListTopics)', async () => {
    const { clients, snapshot } = get();
    const topics = (await clients.sns.send(new ListTopicsCommand({}))).Topics?.map((t) => t.TopicArn) ?? [];
    expect(snapshot.topicArns.length).toBeGreaterThan(0);
    expect(snapshot.topicArns.filter((arn) => topics.includes(arn))).toEqual([]);
  });

  it('the queues are gone (GetQueueUrl)', async () => {
    const { clients, snapshot } = get();
    expect(snapshot.queueNames.length).toBeGreaterThan(0);
    for (const name of snapshot.queueNames) {
      const error = await errorName(clients.sqs.send(new GetQueueUrlCommand({ QueueName: name })));
      expect({ name, gone: /NonExistentQueue|QueueDoesNotExist/.test(error) }).toEqual({ name, gone: true });
    }
  });

  it('the roles are gone (GetRole: NoSuchEntity)', async () => {
    const { clients, snapshot } = get();
    expect(snapshot.roleNames.length).toBeGreaterThan(0);
    for (const name of snapshot.roleNames) {
      const error = await errorName(clients.iam.send(new GetRoleCommand({ RoleName: name })));
      expect({ name, gone: /NoSuchEntity/.test(error) }).toEqual({ name, gone: true });
    }
  });

  it('the log groups are gone (DescribeLogGroups)', async () => {
    const { clients, snapshot } = get();
    const remaining = (await readLogGroups(clients, snapshot.stackName)).map((g) => g.logGroupName);
    expect(snapshot.logGroupNames.filter((name) => remaining.includes(name))).toEqual([]);
  });
}
