/**
 * Publishes alerts to the SNS topic with PublishBatch (10 per call), one text per protocol:
 * email gets the readable body, SMS the one-segment text, programmatic subscribers the alert as JSON.
 */
import { PublishBatchCommand, type PublishBatchRequestEntry, type SNSClient } from '@aws-sdk/client-sns';
import type { Alert } from '../callback';
import { MESSAGE_ATTRIBUTES } from '../names';
import type { Log, PublishResult, Publisher } from '../ports';
import { describe } from '../errors';
import { mayHaveArrived } from './unsent-only-retry';

const BATCH_SIZE = 10;

export function toBatchEntry(alert: Alert, id: string): PublishBatchRequestEntry {
  const structured = JSON.stringify(alert);
  return {
    Id: id,
    Subject: alert.subject,
    MessageStructure: 'json',
    Message: JSON.stringify({
      default: alert.email,
      email: alert.email,
      sms: alert.sms,
      'email-json': structured,
      sqs: structured,
      lambda: structured,
      http: structured,
      https: structured,
    }),
    MessageAttributes: {
      [MESSAGE_ATTRIBUTES.callbackType]: { DataType: 'String', StringValue: alert.type },
      [MESSAGE_ATTRIBUTES.severity]: { DataType: 'String', StringValue: alert.severity },
    },
  };
}

export class SnsPublisher implements Publisher {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
    private readonly log: Log,
  ) {}

  async publish(alerts: readonly Alert[]): Promise<PublishResult> {
    const batches: Alert[][] = [];
    for (let i = 0; i < alerts.length; i += BATCH_SIZE) batches.push(alerts.slice(i, i + BATCH_SIZE));
    const results = await Promise.all(batches.map((batch) => this.publishBatch(batch)));
    return {
      published: results.flatMap((r) => r.published),
      failed: results.flatMap((r) => r.failed),
      ambiguous: results.flatMap((r) => r.ambiguous),
    };
  }

  private async publishBatch(batch: readonly Alert[]): Promise<PublishResult> {
    try {
      const { Failed = [] } = await this.client.send(
        new PublishBatchCommand({
          TopicArn: this.topicArn,
          PublishBatchRequestEntries: batch.map((alert, i) => toBatchEntry(alert, String(i))),
        }),
      );
      const failedIds = new Set(Failed.map((f) => f.Id));
      for (const f of Failed) {
        this.log.error('SNS refused an alert', { callbackId: batch[Number(f.Id)]?.callbackId, code: f.Code });
      }
      return {
        published: batch.filter((_, i) => !failedIds.has(String(i))),
        failed: batch.filter((_, i) => failedIds.has(String(i))),
        ambiguous: [],
      };
    } catch (error) {
      // The client never re-sends a request that may have arrived (UnsentOnlyRetryStrategy), so the last
      // attempt's error tells whether any attempt may have gone out.
      const ambiguous = mayHaveArrived(error);
      this.log.error(ambiguous ? 'SNS PublishBatch outcome unknown' : 'SNS PublishBatch failed', {
        callbackIds: batch.map((a) => a.callbackId),
        error: describe(error),
      });
      return ambiguous ? { published: [], failed: [], ambiguous: batch } : { published: [], failed: batch, ambiguous: [] };
    }
  }
}
