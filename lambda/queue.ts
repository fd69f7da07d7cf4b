/**
 * The parked-retry path: the same Lambda consumes the retry queue (SQS event source with partial batch
 * responses). Each parked request runs through the same receiver; a request whose dependencies fail again
 * is reported as a batch item failure and delayed with exponential backoff, until the queue's
 * maxReceiveCount moves it to the dead-letter queue (which has an alarm).
 *
 * The records of a batch run concurrently, all by the same deadline, so a stalled dependency costs one
 * wait, not one per record, and every record taken gets a real attempt. Order: within a parked request
 * min_balance is still published first (pipeline.ts); across parked requests the order of alerts was never
 * guaranteed (SQS standard queues and SNS standard topics both order on a best-effort basis).
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { decodeParked } from './aws/parked-codec';
import { BUDGET, Deadline } from './deadline';
import { METRICS } from './contract';
import type { RetryDelay, RetryQueue } from './ports';
import { receive, type Deps } from './pipeline';

const FIRST_BACKOFF_SECONDS = 30;
/** SQS caps visibility timeouts at 12 h; 15 minutes keeps retries frequent enough to matter. */
const MAX_BACKOFF_SECONDS = 900;

/** 30 s, 60 s, 120 s, ... capped at 15 minutes, by how many times the message was received. */
export function backoffSeconds(receiveCount: number): number {
  return Math.min(MAX_BACKOFF_SECONDS, FIRST_BACKOFF_SECONDS * 2 ** Math.max(0, receiveCount - 1));
}

/** The pipeline's dependencies, and the retry queue to back failed messages off in. */
export interface QueueDeps extends Deps {
  readonly retryQueue: Pick<RetryQueue, 'backoff'>;
}

/**
 * Handles a batch of parked requests by `deadline` (the invocation's). The receivers must be done
 * BUDGET.lastCallMs before it, which is kept for one ChangeMessageVisibilityBatch giving every failed
 * record its backoff. With less than BUDGET.recordMs of work time left no record is started: all come
 * back as failures, with backoff, and are tried on a later receive.
 */
export async function handleRetries(
  event: SQSEvent,
  deps: QueueDeps,
  now: () => number = Date.now,
  deadline: Deadline = Deadline.forInvocation(undefined),
): Promise<SQSBatchResponse> {
  const work = deadline.child(BUDGET.lastCallMs);
  const enoughTime = work.remainingMs() >= BUDGET.recordMs;
  if (!enoughTime) {
    deps.log.warn('Too little time left to retry parked requests; retrying later', {
      messages: event.Records.length,
      remainingMs: Math.round(work.remainingMs()),
    });
  }
  const handled = await Promise.all(event.Records.map((record) => (enoughTime ? retryRecord(record, deps, work, now) : 'failed')));
  const failed = event.Records.filter((_, i) => handled[i] === 'failed');
  const delays: RetryDelay[] = failed.map((record) => ({
    receiptHandle: record.receiptHandle,
    seconds: backoffSeconds(attemptOf(record)),
  }));
  if (delays.length > 0) await deps.retryQueue.backoff(delays, deadline.signal);
  return { batchItemFailures: failed.map((record) => ({ itemIdentifier: record.messageId })) };
}

function attemptOf(record: SQSRecord): number {
  return Number(record.attributes.ApproximateReceiveCount) || 1;
}

/** One parked request through the receiver: 'failed' means it must come back (the caller backs it off). */
async function retryRecord(record: SQSRecord, deps: Deps, deadline: Deadline, now: () => number): Promise<'done' | 'failed'> {
  const parked = decodeParked(record);
  const attempt = attemptOf(record);
  const context = { messageId: record.messageId, attempt, delaySeconds: Math.round((now() - parked.receivedAt) / 1000) };
  const outcome = await receive(parked.body, deps, deadline, { verified: parked.verified });
  if (outcome.kind === 'retry') {
    deps.counters.count(METRICS.names.retriesFailed, 1);
    deps.log.warn('Parked request failed again; retrying later', {
      ...context,
      reason: outcome.reason,
      backoffSeconds: backoffSeconds(attempt),
    });
    return 'failed';
  }
  if (outcome.statusCode === 200) {
    deps.log.info('Parked request handled', { ...context, ...outcome.body });
  } else {
    // Only requests parked unverified (the secrets could not be read) are verified here; nothing verifying
    // now means they were forged, or the secrets changed meanwhile with no -previous value kept.
    deps.log.warn('Parked request dropped: nothing in it verifies', { ...context, statusCode: outcome.statusCode });
  }
  return 'done';
}
