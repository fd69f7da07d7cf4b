/**
 * Reads what a deploy to moto created, with the AWS SDK for JavaScript v3 over HTTP (no Python): one snapshot
 * per deploy that the tests assert on, and the "is it gone" reads after `cdk destroy`. Paginated operations are
 * read to the end. A read that fails leaves its field undefined, so the test that needs it fails by name.
 */
import {
  CloudFormationClient,
  DescribeStacksCommand,
  GetTemplateCommand,
  paginateListStackResources,
  type Stack,
  type StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient, paginateDescribeLogGroups, type LogGroup } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  type TableDescription,
  type TimeToLiveDescription,
} from '@aws-sdk/client-dynamodb';
import {
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  paginateListAttachedRolePolicies,
  paginateListRolePolicies,
  type AttachedPolicy,
  type Role,
} from '@aws-sdk/client-iam';
import {
  GetFunctionConfigurationCommand,
  GetPolicyCommand,
  LambdaClient,
  paginateListEventSourceMappings,
  type EventSourceMappingConfiguration,
  type FunctionConfiguration,
} from '@aws-sdk/client-lambda';
import {
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  paginateListTopics,
  SNSClient,
  type Subscription,
} from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { ENV } from '../../lambda/contract';
import { queueName, receiverOf, REGION, resourcesOfType, type Deployed, type Template } from './template';

export interface Clients {
  readonly cloudformation: CloudFormationClient;
  readonly lambda: LambdaClient;
  readonly iam: IAMClient;
  readonly logs: CloudWatchLogsClient;
  readonly sts: STSClient;
  readonly sns: SNSClient;
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
}

/** SDK clients for moto at `endpoint`, with throwaway credentials. */
export function createClients(endpoint: string): Clients {
  const config = { region: REGION, endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  return {
    cloudformation: new CloudFormationClient(config),
    lambda: new LambdaClient(config),
    iam: new IAMClient(config),
    logs: new CloudWatchLogsClient(config),
    sts: new STSClient(config),
    sns: new SNSClient(config),
    dynamodb: new DynamoDBClient(config),
    sqs: new SQSClient(config),
  };
}

export async function callerAccount(clients: Clients): Promise<string | undefined> {
  return (await clients.sts.send(new GetCallerIdentityCommand({}))).Account;
}

/** The settled value, or undefined when the call failed (the test reading it fails with the field's name). */
function orUndefined<T>(promise: Promise<T>): Promise<T | undefined> {
  return promise.then(
    (value) => value,
    () => undefined,
  );
}

async function collect<P, T>(pages: AsyncIterable<P>, pick: (page: P) => T[] | undefined): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(...(pick(page) ?? []));
  return all;
}

/** IAM returns policy documents URL-encoded. */
export function policyDocument(document: string | undefined): { Statement?: any } {
  return document === undefined ? {} : (JSON.parse(decodeURIComponent(document)) as { Statement?: any });
}

export interface RoleState {
  readonly role: Role;
  readonly inline: string[];
  readonly attached: AttachedPolicy[];
  /** Inline policy name → its document. */
  readonly documents: Map<string, { Statement?: any }>;
}

/** The stack as CloudFormation reports it: status, the template it received, the resources it lists. */
export interface StackState {
  readonly stack?: Stack;
  readonly receivedTemplate?: unknown;
  readonly summaries: StackResourceSummary[];
  /** Logical id → physical id, for the entries moto created (it lists skipped ones with empty ids). */
  readonly physical: Map<string, string>;
}

export interface DeployedState extends StackState, Deployed {
  readonly physical: Map<string, string>;
  readonly template: Template;
  readonly listedTopics: Set<string>;
  readonly topicAttributes: Map<string, Record<string, string> | undefined>;
  readonly subscriptions: Map<string, Subscription[]>;
  readonly tables: Map<string, { table?: TableDescription; ttl?: TimeToLiveDescription }>;
  readonly queues: Map<string, { url?: string; attributes?: Record<string, string> }>;
  readonly receiverId: string;
  readonly fn?: FunctionConfiguration;
  readonly mappings: EventSourceMappingConfiguration[];
  /** The function's resource policy (GetPolicy), or the error's name. */
  readonly policy: { statements: any[] } | { error: string };
  readonly roles: Map<string, RoleState>;
  readonly logGroups: LogGroup[];
  readonly attributes: Map<string, string>;
}

export async function readStackState(clients: Clients, stackName: string): Promise<StackState> {
  const [described, received, summaries] = await Promise.all([
    orUndefined(clients.cloudformation.send(new DescribeStacksCommand({ StackName: stackName }))),
    orUndefined(clients.cloudformation.send(new GetTemplateCommand({ StackName: stackName }))),
    collect(paginateListStackResources({ client: clients.cloudformation }, { StackName: stackName }), (p) => p.StackResourceSummaries),
  ]);
  const body = received?.TemplateBody;
  const physical = new Map<string, string>();
  for (const summary of summaries) if (summary.LogicalResourceId) physical.set(summary.LogicalResourceId, summary.PhysicalResourceId ?? '');
  return {
    stack: described?.Stacks?.[0],
    receivedTemplate: typeof body === 'string' ? JSON.parse(body) : body,
    summaries,
    physical,
  };
}

async function readRole(clients: Clients, roleName: string): Promise<RoleState | undefined> {
  const role = (await orUndefined(clients.iam.send(new GetRoleCommand({ RoleName: roleName }))))?.Role;
  if (!role) return undefined;
  const [inline, attached] = await Promise.all([
    collect(paginateListRolePolicies({ client: clients.iam }, { RoleName: roleName }), (p) => p.PolicyNames),
    collect(paginateListAttachedRolePolicies({ client: clients.iam }, { RoleName: roleName }), (p) => p.AttachedPolicies),
  ]);
  const documents = new Map<string, { Statement?: any }>();
  for (const name of inline) {
    const got = await clients.iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name }));
    documents.set(name, policyDocument(got.PolicyDocument));
  }
  return { role, inline, attached, documents };
}

/** Everything the deployed-stack tests assert on, read once after the deploy. */
export async function readDeployed(clients: Clients, template: Template, stackName: string, account: string): Promise<DeployedState> {
  const stackState = await readStackState(clients, stackName);
  const { physical } = stackState;
  const attributes = new Map<string, string>();

  const listedTopics = new Set(
    (await collect(paginateListTopics({ client: clients.sns }, {}), (p) => p.Topics)).map((t) => t.TopicArn ?? ''),
  );
  const topicAttributes = new Map<string, Record<string, string> | undefined>();
  const subscriptions = new Map<string, Subscription[]>();
  for (const [id] of resourcesOfType(template, 'AWS::SNS::Topic')) {
    const topicArn = physical.get(id);
    if (!topicArn) continue;
    attributes.set(`${id}.TopicArn`, topicArn);
    topicAttributes.set(id, (await orUndefined(clients.sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }))))?.Attributes);
    const listed = await orUndefined(clients.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn })));
    subscriptions.set(topicArn, listed?.Subscriptions ?? []);
  }

  const tables = new Map<string, { table?: TableDescription; ttl?: TimeToLiveDescription }>();
  for (const [id] of resourcesOfType(template, 'AWS::DynamoDB::Table')) {
    const name = physical.get(id);
    if (!name) continue;
    const table = (await orUndefined(clients.dynamodb.send(new DescribeTableCommand({ TableName: name }))))?.Table;
    const ttl = (await orUndefined(clients.dynamodb.send(new DescribeTimeToLiveCommand({ TableName: name }))))?.TimeToLiveDescription;
    if (table?.TableArn) attributes.set(`${id}.Arn`, table.TableArn);
    tables.set(id, { table, ttl });
  }

  const queues = new Map<string, { url?: string; attributes?: Record<string, string> }>();
  for (const [id] of resourcesOfType(template, 'AWS::SQS::Queue')) {
    const physicalUrl = physical.get(id);
    if (!physicalUrl) continue;
    const url = (await orUndefined(clients.sqs.send(new GetQueueUrlCommand({ QueueName: queueName(physicalUrl) }))))?.QueueUrl;
    const attrs = url
      ? (await orUndefined(clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }))))?.Attributes
      : undefined;
    queues.set(id, { url, attributes: attrs });
    attributes.set(`${id}.Arn`, attrs?.QueueArn ?? '');
    attributes.set(`${id}.QueueName`, queueName(physicalUrl));
  }

  // The receiver is the function with the retry queue (the watchdog publishes to the topic too).
  const receivers = receiverOf(template, ENV.retryQueueUrl);
  if (receivers.length !== 1) throw new Error(`expected one receiver function in the template, found ${receivers.length}`);
  const [receiverId] = receivers[0];
  const functionName = physical.get(receiverId) ?? receiverId;
  const fn = await orUndefined(clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName })));
  if (fn?.FunctionArn) attributes.set(`${receiverId}.Arn`, fn.FunctionArn);
  const mappings = await orUndefined(
    collect(paginateListEventSourceMappings({ client: clients.lambda }, { FunctionName: functionName }), (p) => p.EventSourceMappings),
  );
  const policy = await clients.lambda.send(new GetPolicyCommand({ FunctionName: functionName })).then(
    (r) => ({ statements: (JSON.parse(r.Policy ?? '{}') as { Statement?: any[] }).Statement ?? [] }),
    (e: Error) => ({ error: e.name }),
  );

  const roles = new Map<string, RoleState>();
  for (const [id] of resourcesOfType(template, 'AWS::IAM::Role')) {
    const name = physical.get(id);
    const state = name ? await readRole(clients, name) : undefined;
    if (!state) continue;
    roles.set(id, state);
    if (state.role.Arn) attributes.set(`${id}.Arn`, state.role.Arn);
  }

  const logGroups = await readLogGroups(clients, stackName);
  for (const [id] of resourcesOfType(template, 'AWS::Logs::LogGroup')) {
    const group = logGroups.find((g) => g.logGroupName === physical.get(id)) as (LogGroup & { logGroupArn?: string }) | undefined;
    // CloudFormation's GetAtt Arn; real AWS appends ":*" (moto does not), so ARNs are compared without it.
    if (group) attributes.set(`${id}.Arn`, String(group.logGroupArn ?? group.arn).replace(/:\*$/, ''));
  }

  return {
    ...stackState,
    template,
    stackName,
    account,
    attributes,
    listedTopics,
    topicAttributes,
    subscriptions,
    tables,
    queues,
    receiverId,
    fn,
    mappings: mappings ?? [],
    policy,
    roles,
    logGroups,
  };
}

export function readLogGroups(clients: Clients, prefix: string): Promise<LogGroup[]> {
  return collect(paginateDescribeLogGroups({ client: clients.logs }, { logGroupNamePrefix: prefix }), (p) => p.logGroups);
}

/** Resolves to the error's name when `call` fails, else to "exists". */
export function errorName(call: Promise<unknown>): Promise<string> {
  return call.then(
    () => 'exists',
    (e: Error) => e.name,
  );
}
