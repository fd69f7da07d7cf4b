/**
 * The chat side of the local stack (infra/chat.ts in moto): a chat topic with an inbox queue subscribed to it
 * (what Amazon Q Developer would read), the Telegram token in SSM, and, for each relay, what Lambda's SNS
 * subscription does: a queue subscribed to the alert topic with the relay's severity filter, whose messages are
 * handed to the relay's handler as SNS events, one record each. A message whose invocation fails stays in the
 * queue and comes back after its visibility timeout, as Lambda's async retries would try again.
 */
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { SNSEvent, SNSEventRecord } from 'aws-lambda';
import { MESSAGE_ATTRIBUTES } from '../lambda/contract';
import type { Severity } from '../lambda/model';
import { createInbox, putTelegramToken } from './provision';

/** A relay's handler, as lambda/chat/handler.ts exports it. */
export type RelayHandler = (event: SNSEvent) => Promise<unknown>;

/** A chat topic and the inbox queue subscribed to it. */
export async function createChatTopic(sns: SNSClient, sqs: SQSClient, name: string): Promise<{ topicArn: string; inboxUrl: string }> {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: `${name}-chat` }));
  const inboxUrl = await createInbox(sns, sqs, TopicArn!, `${name}-chat-inbox`);
  return { topicArn: TopicArn!, inboxUrl };
}

/**
 * The queue standing in for a relay's lambda subscription: subscribed to the alert topic with the same filter
 * policy the stack gives the relay (severities, or none for '*').
 */
export async function createRelayQueue(
  sns: SNSClient,
  sqs: SQSClient,
  alertTopicArn: string,
  name: string,
  severities: readonly Severity[] | '*',
): Promise<string> {
  const queueUrl = await createInbox(sns, sqs, alertTopicArn, `${name}-relay`, false);
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  await sns.send(
    new SubscribeCommand({
      TopicArn: alertTopicArn,
      Protocol: 'sqs',
      Endpoint: Attributes!.QueueArn,
      Attributes: severities === '*' ? {} : { FilterPolicy: JSON.stringify({ [MESSAGE_ATTRIBUTES.severity]: [...severities] }) },
    }),
  );
  return queueUrl;
}

/** Stores the bot token as the stack expects it (SecureString `<prefix>/telegram-bot-token`). */
export async function storeTelegramToken(prefix: string, token: string): Promise<void> {
  const ssm = new SSMClient({});
  try {
    await putTelegramToken(ssm, prefix, token);
  } finally {
    ssm.destroy();
  }
}

/** The SNS notification an SQS subscriber receives, as the SNS event record Lambda would pass instead. */
export function snsRecordOf(body: string, topicArn: string): SNSEventRecord {
  const n = JSON.parse(body) as Record<string, string | undefined> & { MessageAttributes?: SNSEventRecord['Sns']['MessageAttributes'] };
  return {
    EventVersion: '1.0',
    EventSubscriptionArn: `${topicArn}:local`,
    EventSource: 'aws:sns',
    Sns: {
      SignatureVersion: n.SignatureVersion ?? '1',
      Timestamp: n.Timestamp ?? new Date().toISOString(),
      Signature: n.Signature ?? '',
      SigningCertUrl: n.SigningCertURL ?? '',
      MessageId: n.MessageId ?? '',
      Message: n.Message ?? '',
      MessageAttributes: n.MessageAttributes ?? {},
      Type: n.Type ?? 'Notification',
      UnsubscribeUrl: n.UnsubscribeURL ?? '',
      TopicArn: n.TopicArn ?? topicArn,
      Subject: n.Subject ?? '',
    },
  };
}

/**
 * One poll of a relay queue: each message to `handler` as a one-record SNS event; deleted when the invocation
 * succeeds, left for redelivery when it throws. Returns the invocations' outcomes.
 */
export async function pumpRelay(
  sqs: SQSClient,
  queueUrl: string,
  alertTopicArn: string,
  handler: RelayHandler,
  options: { waitSeconds?: number; visibilityTimeoutSeconds?: number } = {},
): Promise<Array<{ ok: true } | { ok: false; error: unknown }>> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: options.waitSeconds ?? 0,
      VisibilityTimeout: options.visibilityTimeoutSeconds ?? 30,
    }),
  );
  const outcomes: Array<{ ok: true } | { ok: false; error: unknown }> = [];
  for (const message of Messages) {
    try {
      await handler({ Records: [snsRecordOf(message.Body ?? '{}', alertTopicArn)] });
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle! }));
      outcomes.push({ ok: true });
    } catch (error) {
      outcomes.push({ ok: false, error });
    }
  }
  return outcomes;
}
