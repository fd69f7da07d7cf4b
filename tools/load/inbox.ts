/**
 * The load test's checking side: the topic's inbox read WHILE the load is sent and after it, each alert
 * matched to the plan (every genuine id exactly once, no forged id), and queue depths for the report.
 */
import { DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Alert } from '../../lambda/model';
import { errorMessage } from '../../lambda/errors';
import { parseAlert } from '../../local/provision';
import type { Plan } from './plan';

/**
 * How long the inbox may stay silent while alerts are still missing, and no parked request waits in the retry
 * queue, before they count as lost.
 */
const INBOX_QUIET_MS = 5000;
/** After the last expected alert: how long to watch for extra ones (duplicates, forged). */
const INBOX_SETTLE_MS = 2000;
/**
 * Concurrent inbox readers. moto answers requests roughly in turn, so a lone reader gets a small share of it
 * against many senders and the inbox grows; and moto's SQS costs grow with the queue's length (each message
 * sent or received scans the whole queue), so a growing inbox slows everything down until requests time out.
 * Several readers are safe: moto's ReceiveMessage is not atomic across threads and sometimes hands the same
 * message to two of them, but the copies carry the same SNS message id and count once (see InboxWatcher).
 */
export const INBOX_READERS = 4;
/**
 * Alerts due (their request was answered) but not yet read, above which no new request is sent. This keeps
 * the inbox short, where moto's per-message scans are cheap; a fast sender would otherwise outrun the readers
 * and slow moto down for everyone. Time held back is reported ("throttled"), and counts in the throughput.
 */
const INBOX_MAX_BACKLOG = 100;
/** ...unless the inbox has been silent this long: then nothing is coming to catch up with (lost alerts). */
const INBOX_STALL_MS = 2000;
/** Bound on a queue-depth look-up (for the report, and whether parked requests still wait). */
const QUEUE_DEPTH_TIMEOUT_MS = 5000;

/** An alert as read from the inbox, with the id of the SNS notification that carried it. */
interface Delivery {
  readonly notificationId: string;
  readonly alert: Alert | undefined;
}

/** One receive (up to 10 messages, long-polling up to `waitSeconds`), and the delete of what it got. */
async function receiveAlerts(sqs: SQSClient, queueUrl: string, waitSeconds: number, abortSignal: AbortSignal): Promise<Delivery[]> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: waitSeconds }),
    { abortSignal },
  );
  if (Messages.length === 0) return [];
  await sqs.send(
    new DeleteMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
    }),
    { abortSignal },
  );
  return Messages.map((m) => {
    let envelope: { MessageId?: string; Subject?: string; Message?: string } = {};
    try {
      envelope = JSON.parse(m.Body ?? '{}') as typeof envelope;
    } catch {
      // not an SNS envelope: counted as not ours
    }
    const alert = parseAlert({ subject: envelope.Subject, message: envelope.Message ?? '', attributes: {} });
    return { notificationId: envelope.MessageId ?? m.MessageId ?? '', alert };
  });
}

export interface InboxResult {
  readonly expected: number;
  /** Alerts for this run's genuine ids, repeats included. */
  readonly received: number;
  readonly distinct: number;
  readonly missing: number;
  /** Alerts beyond the first for the same id. */
  readonly duplicated: number;
  readonly forged: number;
  /** Alerts in the inbox that are not this run's (another sender on a running stack): ignored. */
  readonly foreign: number;
  /** Copies of a notification already read (same SNS message id): one alert read twice, not a duplicate alert. */
  readonly redelivered: number;
  /** From the last response until the check ended. */
  readonly drainMs: number;
  /**
   * Why reading ended: `settled` (all expected alerts, then INBOX_SETTLE_MS of silence), `quiet` (alerts missing,
   * INBOX_QUIET_MS of silence), `deadline` (--timeout) or `stopped` (Ctrl-C, or the load was stopped).
   */
  readonly endedBy: 'settled' | 'quiet' | 'deadline' | 'stopped';
  readonly missingSample: number[];
  readonly duplicatedSample: number[];
}

/**
 * Reads the inbox WHILE the load is sent, and on after the last response until every expected alert arrived
 * (then INBOX_SETTLE_MS more, to catch extra ones) or the inbox stayed quiet for INBOX_QUIET_MS.
 * Reading during the load keeps the queue short: moto's ReceiveMessage and DeleteMessage scan the whole
 * queue, so draining thousands of queued alerts afterwards costs time quadratic in their number. For the same
 * reason the senders wait while it lags (isBehind), with INBOX_READERS readers to keep up.
 */
export class InboxWatcher {
  private readonly seen = new Map<number, number>();
  private readonly notifications = new Set<string>();
  private redelivered = 0;
  private received = 0;
  private distinct = 0;
  private forged = 0;
  private foreign = 0;
  private sendingDoneAt?: number;
  private lastMessageAt = Date.now();
  private stopped = false;
  private readers: Promise<void>[] = [];
  private failure?: unknown;
  private endedBy?: InboxResult['endedBy'];
  private readonly abort = new AbortController();

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly plan: Plan,
    private readonly accountId: string,
    private readonly deadline: number,
    /** The stack's retry queue: while parked requests wait there, missing alerts may still come. */
    private readonly retryQueueUrl?: string,
  ) {}

  /** Whether the senders should wait for the readers (INBOX_MAX_BACKLOG, INBOX_STALL_MS). */
  isBehind(alertsDue: number): boolean {
    return alertsDue - this.distinct > INBOX_MAX_BACKLOG && Date.now() - this.lastMessageAt < INBOX_STALL_MS;
  }

  start(readers: number): void {
    this.readers = Array.from({ length: readers }, () => this.read());
  }

  private take(deliveries: readonly Delivery[]): void {
    if (deliveries.length > 0) this.lastMessageAt = Date.now();
    for (const { notificationId, alert } of deliveries) {
      // One SNS notification read twice (moto's receive race; SQS is at-least-once too) is one alert;
      // a second alert for the same callback is a second notification, with its own id.
      if (this.notifications.has(notificationId)) {
        this.redelivered += 1;
        continue;
      }
      this.notifications.add(notificationId);
      if (!alert || String(alert.accountId) !== this.accountId) this.foreign += 1;
      else if (this.plan.forgedIds.has(alert.callbackId)) this.forged += 1;
      else if (!this.plan.genuineIds.has(alert.callbackId)) this.foreign += 1;
      else {
        this.received += 1;
        const before = this.seen.get(alert.callbackId) ?? 0;
        if (before === 0) this.distinct += 1;
        this.seen.set(alert.callbackId, before + 1);
      }
    }
  }

  private async read(): Promise<void> {
    try {
      while (!this.stopped && this.endedBy === undefined) {
        const left = this.deadline - Date.now();
        if (left <= 0) {
          this.endedBy ??= 'deadline';
          return;
        }
        this.take(await receiveAlerts(this.sqs, this.queueUrl, left >= 1000 ? 1 : 0, this.abort.signal));
        if (this.sendingDoneAt === undefined) continue;
        const silentFor = Date.now() - Math.max(this.lastMessageAt, this.sendingDoneAt);
        if (this.distinct >= this.plan.genuineIds.size && silentFor >= INBOX_SETTLE_MS) this.endedBy ??= 'settled';
        else if (silentFor >= INBOX_QUIET_MS) {
          if (await this.retriesPending())
            this.lastMessageAt = Date.now(); // not quiet yet: look again later
          else this.endedBy ??= 'quiet';
        }
      }
    } catch (error) {
      if (!this.stopped) this.failure ??= error;
    }
  }

  private async retriesPending(): Promise<boolean> {
    if (!this.retryQueueUrl) return false;
    return ((await queueDepth(this.sqs, this.retryQueueUrl)) ?? 0) > 0;
  }

  /** Stops reading at once (timeout, Ctrl-C). */
  stop(): void {
    this.stopped = true;
    this.abort.abort();
  }

  async finish(): Promise<InboxResult> {
    this.sendingDoneAt = Date.now();
    await Promise.all(this.readers);
    this.stopped = true;
    if (this.failure) throw new Error(`reading the inbox failed: ${errorMessage(this.failure)}`);
    const missingIds = [...this.plan.genuineIds].filter((id) => !this.seen.has(id));
    const duplicatedIds = [...this.seen].filter(([, n]) => n > 1).map(([id]) => id);
    return {
      expected: this.plan.genuineIds.size,
      received: this.received,
      distinct: this.distinct,
      missing: missingIds.length,
      duplicated: duplicatedIds.reduce((n, id) => n + this.seen.get(id)! - 1, 0),
      forged: this.forged,
      foreign: this.foreign,
      redelivered: this.redelivered,
      drainMs: Date.now() - this.sendingDoneAt,
      endedBy: this.endedBy ?? 'stopped',
      missingSample: missingIds.slice(0, 5),
      duplicatedSample: duplicatedIds.slice(0, 5),
    };
  }
}

/** Messages in a queue, or undefined if moto does not say within QUEUE_DEPTH_TIMEOUT_MS (an overloaded moto queues requests). */
export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<number | undefined> {
  try {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
      { abortSignal: AbortSignal.timeout(QUEUE_DEPTH_TIMEOUT_MS) },
    );
    return Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
  } catch {
    return undefined;
  }
}
