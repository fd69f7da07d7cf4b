/** The retry queue in SQS: parks raw requests, and stretches failed messages' visibility for backoff. */
import { ChangeMessageVisibilityBatchCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { errorMessage } from '../errors';
import type { Log, ParkedRequest, RetryDelay, RetryQueue } from '../ports';
import { encodeParked } from './parked-codec';

/**
 * ChangeMessageVisibilityBatch takes at most 10 entries, each with an Id unique in the call (alphanumeric,
 * hyphen, underscore; up to 80 characters): AWS SQS API Reference, "ChangeMessageVisibilityBatch" and
 * "ChangeMessageVisibilityBatchRequestEntry". Our ids are the entry's index.
 */
const MAX_BATCH_ENTRIES = 10;

export class SqsRetryQueue implements RetryQueue {
  private created?: SQSClient;

  /** The client is built on first use: most containers never park anything (~4 ms of cold start saved). */
  constructor(
    private readonly createClient: () => SQSClient,
    private readonly queueUrl: string,
    private readonly log: Log,
  ) {}

  private get client(): SQSClient {
    return (this.created ??= this.createClient());
  }

  /** `signal` (here and below) bounds the call; optional only for callers outside the Lambda (tools, tests). */
  async park(request: ParkedRequest, signal?: AbortSignal): Promise<void> {
    const { body, attributes } = encodeParked(request);
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: body,
        MessageAttributes: Object.fromEntries(
          Object.entries(attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
        ),
      }),
      { abortSignal: signal },
    );
  }

  async backoff(delays: readonly RetryDelay[], signal?: AbortSignal): Promise<void> {
    const batches: RetryDelay[][] = [];
    for (let i = 0; i < delays.length; i += MAX_BATCH_ENTRIES) batches.push(delays.slice(i, i + MAX_BATCH_ENTRIES));
    await Promise.all(batches.map((batch) => this.backoffBatch(batch, signal)));
  }

  private async backoffBatch(batch: readonly RetryDelay[], signal: AbortSignal | undefined): Promise<void> {
    try {
      const { Failed = [] } = await this.client.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: batch.map(({ receiptHandle, seconds }, i) => ({
            Id: String(i),
            ReceiptHandle: receiptHandle,
            VisibilityTimeout: seconds,
          })),
        }),
        { abortSignal: signal },
      );
      // Each message not delayed still comes back after the queue's own visibility timeout.
      for (const f of Failed) this.log.warn('Could not delay the retry', { error: `${f.Code}: ${f.Message ?? ''}` });
    } catch (error) {
      this.log.warn('Could not delay the retries', { messages: batch.length, error: errorMessage(error) });
    }
  }
}
