/**
 * In-memory stand-ins for the receiver's edges (ports.ts) and for SNS, recording what they were asked to do.
 * Each edge can be `stalled`: a call then waits until its AbortSignal aborts and fails as that port fails
 * (the shape of a dependency that sent its headers and never the body).
 */
import { SNSServiceException, type PublishBatchCommandInput, type PublishBatchCommandOutput } from '@aws-sdk/client-sns';
import type { Alert, Secrets } from '../../lambda/model';
import { loadConfig, type Config } from '../../lambda/config';
import { SecretsUnavailableError } from '../../lambda/errors';
import {
  type CallbackKey,
  type Claim,
  type DedupeStore,
  type HeldClaim,
  type Log,
  type ParkedRequest,
  type PublishResult,
  type Publisher,
  type RetryDelay,
  type RetryQueue,
  type SecretsSource,
} from '../../lambda/ports';
import type { HttpDeps } from '../../lambda/http';
import type { QueueDeps } from '../../lambda/queue';
import { checkPublishBatch, type BatchEntry, type SnsLimitViolation } from '../../lambda/sns-limits';
import { SECRETS } from '../../local/fixtures';

/** Rejects with the signal's reason once it aborts: a call that never ends by itself. */
export function untilAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

export class FakeSecrets implements SecretsSource {
  calls = 0;
  failure?: Error;
  stalled = false;
  constructor(public secrets: Secrets = SECRETS) {}
  async get(signal: AbortSignal): Promise<Secrets> {
    this.calls += 1;
    if (this.stalled) await untilAbort(signal).catch(() => Promise.reject(new SecretsUnavailableError('stalled')));
    if (this.failure) throw this.failure;
    return this.secrets;
  }
}

/** The claim states of ports.ts without leases: a 'pending' or 'final' record stays busy until settled. */
export class FakeDedupe implements DedupeStore {
  readonly records = new Map<string, 'pending' | 'done' | 'ambiguous' | 'final'>();
  unavailable = false;
  stalled = false;
  readonly released: string[] = [];
  async claim({ accountId, callbackId }: CallbackKey, signal: AbortSignal): Promise<Claim> {
    if (this.stalled) return untilAbort(signal).catch(() => 'unavailable' as const);
    if (this.unavailable) return 'unavailable';
    const key = `${accountId}#${callbackId}`;
    switch (this.records.get(key)) {
      case undefined:
        this.records.set(key, 'pending');
        return 'new';
      case 'ambiguous':
        this.records.set(key, 'final');
        return 'final';
      case 'done':
        return 'duplicate';
      default:
        return 'busy';
    }
  }
  async complete({ accountId, callbackId }: CallbackKey, signal: AbortSignal): Promise<void> {
    if (this.stalled) return untilAbort(signal).catch(() => undefined);
    this.records.set(`${accountId}#${callbackId}`, 'done');
  }
  async release({ accountId, callbackId }: CallbackKey, claim: HeldClaim, signal: AbortSignal): Promise<void> {
    if (this.stalled) return untilAbort(signal).catch(() => undefined);
    const key = `${accountId}#${callbackId}`;
    if (claim === 'final') this.records.set(key, 'ambiguous');
    else this.records.delete(key);
    this.released.push(key);
  }
  async recordAmbiguous({ accountId, callbackId }: CallbackKey, signal: AbortSignal): Promise<void> {
    if (this.stalled) return untilAbort(signal).catch(() => undefined);
    this.records.set(`${accountId}#${callbackId}`, 'ambiguous');
  }
}

export class FakePublisher implements Publisher {
  readonly sent: Alert[] = [];
  /** Callback ids whose publish is refused (not sent); `all` refuses everything. */
  failing: Set<number> | 'all' = new Set();
  /** Callback ids whose publish goes out but is reported with an unknown outcome (a slow SNS); `all` for every one. */
  slow: Set<number> | 'all' = new Set();
  /** Every publish waits until its signal aborts, then reports an unknown outcome (it may have gone out). */
  stalled = false;
  async publish(alerts: readonly Alert[], signal: AbortSignal): Promise<PublishResult> {
    if (this.stalled) return untilAbort(signal).catch(() => ({ published: [], failed: [], ambiguous: alerts }));
    const has = (ids: Set<number> | 'all', a: Alert) => ids === 'all' || ids.has(a.callbackId);
    const fails = (a: Alert) => has(this.failing, a);
    const late = (a: Alert) => !fails(a) && has(this.slow, a);
    this.sent.push(...alerts.filter((a) => !fails(a)));
    return { published: alerts.filter((a) => !fails(a) && !late(a)), failed: alerts.filter(fails), ambiguous: alerts.filter(late) };
  }
}

/**
 * SNS's PublishBatch as the unit tests' SDK stub answers it (`mockClient(SNSClient)` with
 * `.callsFake((input) => topic.publishBatch(input))`): a call that breaks one of SNS's documented limits
 * (lambda/sns-limits.ts) is refused whole with the error AWS answers (an SNSServiceException named after the
 * code, HTTP 400); an accepted call records its entries, and entries `failing` picks come back as `Failed`.
 */
export class FakeSnsTopic {
  /** Entries of every accepted call, one array per call, in order. */
  readonly calls: BatchEntry[][] = [];
  /** Why each refused call was refused. */
  readonly refused: SnsLimitViolation[] = [];
  failing: (entry: BatchEntry) => boolean = () => false;

  async publishBatch(input: PublishBatchCommandInput): Promise<Partial<PublishBatchCommandOutput>> {
    const entries: readonly BatchEntry[] = input.PublishBatchRequestEntries ?? [];
    const refused = checkPublishBatch(entries);
    if (refused) {
      this.refused.push(refused);
      throw new SNSServiceException({ name: refused.code, $fault: 'client', $metadata: { httpStatusCode: 400 }, message: refused.message });
    }
    this.calls.push([...entries]);
    return {
      Successful: entries.filter((e) => !this.failing(e)).map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}` })),
      Failed: entries.filter((e) => this.failing(e)).map((e) => ({ Id: e.Id, Code: 'InternalError', SenderFault: false })),
    };
  }
}

export class FakeRetryQueue implements RetryQueue {
  readonly parked: ParkedRequest[] = [];
  readonly backoffs: RetryDelay[] = [];
  /** How many backoff calls were made (each is one request per 10 messages in SQS). */
  backoffCalls = 0;
  failure?: Error;
  stalled = false;
  async park(request: ParkedRequest, signal: AbortSignal): Promise<void> {
    if (this.stalled) await untilAbort(signal);
    if (this.failure) throw this.failure;
    this.parked.push(request);
  }
  async backoff(delays: readonly RetryDelay[], signal: AbortSignal): Promise<void> {
    this.backoffCalls += 1;
    if (this.stalled) return untilAbort(signal).catch(() => undefined);
    for (const { seconds } of delays) {
      // SQS: VisibilityTimeout 0 to 43,200 seconds (SQS API Reference, ChangeMessageVisibilityBatchRequestEntry).
      if (!Number.isInteger(seconds) || seconds < 0 || seconds > 43_200) throw new Error(`VisibilityTimeout ${seconds} out of range`);
    }
    this.backoffs.push(...delays);
  }
}

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  message: string;
  extra: Array<Record<string, unknown>>;
}

export class MemoryLog implements Log {
  readonly lines: LogLine[] = [];
  info(message: string, ...extra: Array<Record<string, unknown>>) {
    this.lines.push({ level: 'info', message, extra });
  }
  warn(message: string, ...extra: Array<Record<string, unknown>>) {
    this.lines.push({ level: 'warn', message, extra });
  }
  error(message: string, ...extra: Array<Record<string, unknown>>) {
    this.lines.push({ level: 'error', message, extra });
  }
  text(): string {
    return JSON.stringify(this.lines);
  }
}

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    DEDUPE_TABLE_NAME: 'dedupe',
    ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:alerts',
    RETRY_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/retry',
    ...env,
  });
}

export function fakeDeps(env: Record<string, string> = {}) {
  const counts: Record<string, number> = {};
  const deps = {
    config: testConfig(env),
    secrets: new FakeSecrets(),
    dedupe: new FakeDedupe(),
    publisher: new FakePublisher(),
    retryQueue: new FakeRetryQueue(),
    log: new MemoryLog(),
    counters: { count: (name: string, value: number) => void (counts[name] = (counts[name] ?? 0) + value) },
    counts,
  } satisfies HttpDeps & QueueDeps & { counts: Record<string, number> };
  return deps;
}
