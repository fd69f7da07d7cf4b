/**
 * Publishes alerts to the SNS topic with PublishBatch, in the calls publish-plan.ts packs (at most 10 entries
 * and under SNS's 256 KiB per call, most urgent first): email gets the readable body, SMS the one-segment text,
 * programmatic subscribers the alert as JSON.
 */
import { PublishBatchCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Alert } from '../model';
import type { Log, PublishResult, Publisher } from '../ports';
import { errorMessage } from '../errors';
import { planBatches, type PlannedEntry } from '../publish-plan';
import { mayHaveArrived } from './unsent-only-retry';

export class SnsPublisher implements Publisher {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
    private readonly log: Log,
  ) {}

  /** `signal` bounds every PublishBatch call; optional only for callers outside the Lambda (tools, tests). */
  async publish(alerts: readonly Alert[], signal?: AbortSignal): Promise<PublishResult> {
    const results = await Promise.all(planBatches(alerts).map((call) => this.publishBatch(call, signal)));
    return {
      published: results.flatMap((r) => r.published),
      failed: results.flatMap((r) => r.failed),
      ambiguous: results.flatMap((r) => r.ambiguous),
    };
  }

  private async publishBatch(call: readonly PlannedEntry[], signal: AbortSignal | undefined): Promise<PublishResult> {
    const batch: readonly Alert[] = call.map(({ alert }) => alert);
    try {
      const { Failed = [] } = await this.client.send(
        new PublishBatchCommand({
          TopicArn: this.topicArn,
          PublishBatchRequestEntries: call.map(({ entry }) => entry),
        }),
        { abortSignal: signal },
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
        error: errorMessage(error),
      });
      return ambiguous ? { published: [], failed: [], ambiguous: batch } : { published: [], failed: batch, ambiguous: [] };
    }
  }
}
