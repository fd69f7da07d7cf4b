/**
 * Creates, against whatever AWS_ENDPOINT_URL points at (moto locally), what the stack creates in AWS:
 * the SSM parameters, the alert topic, the dedupe table, and an SQS queue subscribed to the topic as an inbox.
 * Shared by `npm start`, `npm run configure` and the integration tests, so they all build the same world.
 */
import { telegramTokenParameter } from '../lambda/chat/config';
import { randomBytes } from 'node:crypto';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, DeleteTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { DeleteParametersCommand, ParameterAlreadyExists, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { Alert } from '../lambda/model';
import { parameterNames } from '../lambda/config';
import { DEDUPE_TABLE, ENV, INCIDENT_TABLE, RETRY_QUEUE } from '../lambda/contract';

export interface VoxSecrets {
  readonly salt: string;
  readonly accountId: string;
  readonly apiKey: string;
  readonly saltPrevious?: string;
  readonly apiKeyPrevious?: string;
  /** Signs incidents' acknowledge links; provision() generates one when absent. */
  readonly ackKey?: string;
}

export interface LocalResources {
  readonly parameterPrefix: string;
  readonly topicArn: string;
  readonly tableName: string;
  /** The incidents' table (lambda/aws/dynamo-incidents.ts). */
  readonly incidentTableName: string;
  readonly queueUrl: string;
  /** Where the receiver parks requests it could not fully handle; its dead-letter queue is `dlqUrl`. */
  readonly retryQueueUrl: string;
  readonly dlqUrl: string;
}

/** Salt and API keys as SecureString, the account id as String: the same types the README tells users to use. */
export async function putSecrets(ssm: SSMClient, prefix: string, secrets: VoxSecrets): Promise<void> {
  const names = parameterNames(prefix);
  const entries: Array<[string, string | undefined, 'SecureString' | 'String']> = [
    [names.salt, secrets.salt, 'SecureString'],
    [names.accountId, secrets.accountId, 'String'],
    [names.apiKey, secrets.apiKey, 'SecureString'],
    [names.saltPrevious, secrets.saltPrevious, 'SecureString'],
    [names.apiKeyPrevious, secrets.apiKeyPrevious, 'SecureString'],
    [names.ackKey, secrets.ackKey, 'SecureString'],
  ];
  for (const [Name, Value, Type] of entries) {
    if (Value === undefined) continue;
    await ssm.send(new PutParameterCommand({ Name, Value, Type, Overwrite: true }));
  }
}

/** Writes the Telegram bot token as SecureString `<prefix>/telegram-bot-token` (lambda/chat/config.ts), overwriting. */
export async function putTelegramToken(ssm: SSMClient, prefix: string, token: string): Promise<string> {
  const name = telegramTokenParameter(prefix);
  await ssm.send(new PutParameterCommand({ Name: name, Value: token, Type: 'SecureString', Overwrite: true }));
  return name;
}

/** A new acknowledge key (lambda/incidents/ack-token.ts): 32 random bytes, base64url. */
export const newAckKey = (): string => randomBytes(32).toString('base64url');

/**
 * Creates the acknowledge key `<prefix>/ack-key` (SecureString, newAckKey) unless one exists: PutParameter without
 * Overwrite, so an existing key, and every link signed with it, is kept, and two runs at once create one. Returns
 * true when it created it. The value is never returned: nothing can print it.
 */
export async function ensureAckKey(ssm: SSMClient, prefix: string): Promise<boolean> {
  try {
    await ssm.send(
      new PutParameterCommand({ Name: parameterNames(prefix).ackKey, Value: newAckKey(), Type: 'SecureString', Overwrite: false }),
    );
    return true;
  } catch (error) {
    if (error instanceof ParameterAlreadyExists) return false;
    throw error;
  }
}

/** A table keyed by one string attribute, with TTL, as the stack creates the dedupe and incident tables. */
export async function createTable(
  dynamodb: DynamoDBClient,
  tableName: string,
  schema: { readonly partitionKey: string; readonly ttlAttribute: string } = DEDUPE_TABLE,
): Promise<void> {
  await dynamodb.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: schema.partitionKey, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: schema.partitionKey, KeyType: 'HASH' }],
    }),
  );
  // Real DynamoDB refuses a TTL change while the table is still being created.
  await waitUntilTableExists({ client: dynamodb, maxWaitTime: 120 }, { TableName: tableName });
  await dynamodb.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: schema.ttlAttribute, Enabled: true },
    }),
  );
}

/** The dedupe table (lambda/aws/dynamo-dedupe.ts). */
export const createDedupeTable = (dynamodb: DynamoDBClient, tableName: string): Promise<void> => createTable(dynamodb, tableName);

/** The retry queue with its dead-letter queue, configured as the stack configures them. */
export async function createRetryQueue(sqs: SQSClient, queueName: string): Promise<{ retryQueueUrl: string; dlqUrl: string }> {
  const { QueueUrl: dlqUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `${queueName}-dlq` }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }));
  const { QueueUrl: retryQueueUrl } = await sqs.send(
    new CreateQueueCommand({
      QueueName: queueName,
      Attributes: {
        VisibilityTimeout: String(RETRY_QUEUE.visibilityTimeoutSeconds),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes?.QueueArn, maxReceiveCount: RETRY_QUEUE.maxReceiveCount }),
      },
    }),
  );
  return { retryQueueUrl: retryQueueUrl!, dlqUrl: dlqUrl! };
}

/**
 * An SQS queue subscribed to the topic: the local stand-in for the email and SMS inboxes. With `subscribe`
 * false the queue is created but never subscribed (a load test's stack: under moto every subscriber costs a
 * signed copy of each alert, and a busy inbox nobody reads halves what the test can measure).
 */
export async function createInbox(sns: SNSClient, sqs: SQSClient, topicArn: string, queueName: string, subscribe = true): Promise<string> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: queueName }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  const queueArn = Attributes?.QueueArn;
  // In real AWS, SNS may deliver to the queue only with this policy; moto accepts it too.
  const policy = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'sns.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: queueArn,
        Condition: { ArnEquals: { 'aws:SourceArn': topicArn } },
      },
    ],
  };
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: JSON.stringify(policy) } }));
  if (subscribe) await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queueArn }));
  return QueueUrl!;
}

export async function provision(
  name: string,
  secrets: VoxSecrets,
  { prefix = `/${name}`, subscribeInbox = true }: { prefix?: string; subscribeInbox?: boolean } = {},
): Promise<LocalResources> {
  const ssm = new SSMClient({});
  const sns = new SNSClient({});
  const sqs = new SQSClient({});
  const dynamodb = new DynamoDBClient({});
  try {
    await putSecrets(ssm, prefix, { ackKey: newAckKey(), ...secrets });
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: `${name}-alerts` }));
    const tableName = `${name}-dedupe`;
    const incidentTableName = `${name}-incidents`;
    await Promise.all([createDedupeTable(dynamodb, tableName), createTable(dynamodb, incidentTableName, INCIDENT_TABLE)]);
    const queueUrl = await createInbox(sns, sqs, TopicArn!, `${name}-inbox`, subscribeInbox);
    const retry = await createRetryQueue(sqs, `${name}-retry`);
    return { parameterPrefix: prefix, topicArn: TopicArn!, tableName, incidentTableName, queueUrl, ...retry };
  } finally {
    for (const client of [ssm, sns, sqs, dynamodb]) client.destroy();
  }
}

/**
 * Deletes what provision() (and createInbox, for each of `extraQueueUrls`) created: for `npm start --aws`,
 * whose resources are real and cost money. Never throws: returns what could not be deleted, with why, for a
 * person to delete by hand.
 */
export async function deleteResources(resources: LocalResources, extraQueueUrls: readonly string[] = []): Promise<string[]> {
  const ssm = new SSMClient({});
  const sns = new SNSClient({});
  const sqs = new SQSClient({});
  const dynamodb = new DynamoDBClient({});
  const left: string[] = [];
  const attempt = async (what: string, action: () => Promise<unknown>) => {
    try {
      await action();
    } catch (error) {
      left.push(`${what} (${(error as Error).message})`);
    }
  };
  const queueUrls = [resources.queueUrl, ...extraQueueUrls, resources.retryQueueUrl, resources.dlqUrl];
  try {
    await Promise.all([
      attempt(`SSM parameters under ${resources.parameterPrefix}`, () =>
        ssm.send(new DeleteParametersCommand({ Names: Object.values(parameterNames(resources.parameterPrefix)) })),
      ),
      attempt(`topic ${resources.topicArn}`, () => sns.send(new DeleteTopicCommand({ TopicArn: resources.topicArn }))),
      ...queueUrls.map((QueueUrl) => attempt(`queue ${QueueUrl}`, () => sqs.send(new DeleteQueueCommand({ QueueUrl })))),
      ...[resources.tableName, resources.incidentTableName].map((TableName) =>
        attempt(`table ${TableName}`, () => dynamodb.send(new DeleteTableCommand({ TableName }))),
      ),
    ]);
  } finally {
    for (const client of [ssm, sns, sqs, dynamodb]) client.destroy();
  }
  return left;
}

/** The receiver's environment for these resources: the same variables the stack gives the function. */
export function receiverEnv(resources: LocalResources): Record<string, string> {
  return {
    [ENV.parameterPrefix]: resources.parameterPrefix,
    [ENV.dedupeTableName]: resources.tableName,
    [ENV.incidentTableName]: resources.incidentTableName,
    [ENV.topicArn]: resources.topicArn,
    [ENV.retryQueueUrl]: resources.retryQueueUrl,
  };
}

/** The acknowledge route's function's environment for these resources: the variables infra/acknowledge.ts sets. */
export function ackEnv(resources: LocalResources): Record<string, string> {
  return {
    [ENV.ackKeyParameter]: parameterNames(resources.parameterPrefix).ackKey,
    [ENV.incidentTableName]: resources.incidentTableName,
  };
}

/** One alert as an SQS subscriber of the topic receives it (SNS envelope, not raw delivery). */
export interface InboxMessage {
  readonly subject: string | undefined;
  /** The `default` entry of the alert's per-protocol message (what an sqs subscriber gets): the alert as JSON. */
  readonly message: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/** The alert the topic carries to programmatic subscribers (the `default` entry: the Alert as JSON), or undefined if it is not one. */
export function parseAlert(message: InboxMessage): Alert | undefined {
  try {
    const alert = JSON.parse(message.message) as Alert;
    return typeof alert === 'object' && alert !== null && typeof alert.callbackId === 'number' ? alert : undefined;
  } catch {
    return undefined;
  }
}

function toInboxMessage(body: string): InboxMessage {
  const envelope = JSON.parse(body) as {
    Subject?: string;
    Message: string;
    MessageAttributes?: Record<string, { Value: string }>;
  };
  const attributes: Record<string, string> = {};
  for (const [key, { Value }] of Object.entries(envelope.MessageAttributes ?? {})) attributes[key] = Value;
  return { subject: envelope.Subject, message: envelope.Message, attributes };
}

/**
 * Receives (and deletes) whatever is in the inbox, long-polling until `expected` messages arrived or
 * `waitMs` passed. Waiting on the queue itself, not on a clock, keeps tests fast when alerts arrive.
 */
export async function readInbox(
  sqs: SQSClient,
  queueUrl: string,
  options: { expected?: number; waitMs?: number; abortSignal?: AbortSignal } = {},
): Promise<InboxMessage[]> {
  const expected = options.expected ?? Number.POSITIVE_INFINITY;
  const deadline = Date.now() + (options.waitMs ?? 2000);
  const messages: InboxMessage[] = [];
  // At least one receive, and keep receiving while messages come even past the deadline: `waitMs: 0` drains.
  let got: number;
  do {
    const remaining = deadline - Date.now();
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: remaining <= 0 ? 0 : Math.min(20, Math.max(1, Math.floor(remaining / 1000))),
      }),
      { abortSignal: options.abortSignal },
    );
    got = Messages.length;
    if (got === 0) continue;
    messages.push(...Messages.map((m) => toInboxMessage(m.Body ?? '{}')));
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
  } while (messages.length < expected && (got > 0 || Date.now() < deadline));
  return messages;
}
