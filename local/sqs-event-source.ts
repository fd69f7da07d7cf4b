/**
 * What Lambda's SQS event source mapping does, for the local stack and the tests: receive a batch from
 * the retry queue, hand it to the handler as an SQS event, delete what succeeded, leave the reported
 * failures to come back after their (backoff-extended) visibility timeout.
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

export type QueueHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;

function toRecord(message: Message, queueArn: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? '',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        { stringValue: value.StringValue, dataType: value.DataType ?? 'String', stringListValues: [], binaryListValues: [] },
      ]),
    ),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: process.env.AWS_REGION ?? 'us-east-1',
  };
}

/** One poll: how many messages were handled, and the receipt handles of those reported as failures. */
export async function pollOnce(
  sqs: SQSClient,
  queueUrl: string,
  handler: QueueHandler,
  options: { waitSeconds?: number; abortSignal?: AbortSignal } = {},
): Promise<{ received: number; failed: string[] }> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: options.waitSeconds ?? 0,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
    }),
    { abortSignal: options.abortSignal },
  );
  if (Messages.length === 0) return { received: 0, failed: [] };
  const queueArn = `arn:aws:sqs:${process.env.AWS_REGION ?? 'us-east-1'}:000000000000:${queueUrl.split('/').pop()}`;
  let failedIds: Set<string>;
  try {
    const { batchItemFailures } = await handler({ Records: Messages.map((m) => toRecord(m, queueArn)) });
    failedIds = new Set(batchItemFailures.map((f) => f.itemIdentifier));
  } catch {
    // A thrown handler fails the whole batch, as with Lambda.
    failedIds = new Set(Messages.map((m) => m.MessageId!));
  }
  const done = Messages.filter((m) => !failedIds.has(m.MessageId!));
  if (done.length > 0) {
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
  }
  const failed = Messages.filter((m) => failedIds.has(m.MessageId!)).map((m) => m.ReceiptHandle!);
  return { received: Messages.length, failed };
}
