/** In-memory stand-ins for the receiver's edges (ports.ts), recording what they were asked to do. */
import type { Alert, Secrets } from '../../lambda/callback';
import { loadConfig, type Config } from '../../lambda/config';
import type { CallbackKey, Claim, DedupeStore, Log, ParkedRequest, PublishResult, Publisher, RetryQueue, SecretsSource } from '../../lambda/ports';
import type { Deps } from '../../lambda/receiver';
import { SECRETS } from './fixtures';

export class FakeSecrets implements SecretsSource {
  calls = 0;
  failure?: Error;
  constructor(public secrets: Secrets = SECRETS) {}
  async get(): Promise<Secrets> {
    this.calls += 1;
    if (this.failure) throw this.failure;
    return this.secrets;
  }
}

export class FakeDedupe implements DedupeStore {
  readonly records = new Map<string, 'pending' | 'done'>();
  unavailable = false;
  readonly released: string[] = [];
  async claim({ accountId, callbackId }: CallbackKey): Promise<Claim> {
    if (this.unavailable) return 'unavailable';
    const key = `${accountId}#${callbackId}`;
    const record = this.records.get(key);
    if (record) return record === 'done' ? 'duplicate' : 'busy';
    this.records.set(key, 'pending');
    return 'new';
  }
  async complete({ accountId, callbackId }: CallbackKey): Promise<void> {
    this.records.set(`${accountId}#${callbackId}`, 'done');
  }
  async release({ accountId, callbackId }: CallbackKey): Promise<void> {
    this.records.delete(`${accountId}#${callbackId}`);
    this.released.push(`${accountId}#${callbackId}`);
  }
}

export class FakePublisher implements Publisher {
  readonly sent: Alert[] = [];
  /** Callback ids whose publish fails; `all` fails everything. */
  failing: Set<number> | 'all' = new Set();
  async publish(alerts: readonly Alert[]): Promise<PublishResult> {
    const fails = (a: Alert) => this.failing === 'all' || this.failing.has(a.callbackId);
    this.sent.push(...alerts.filter((a) => !fails(a)));
    return { published: alerts.filter((a) => !fails(a)), failed: alerts.filter(fails) };
  }
}

export class FakeRetryQueue implements RetryQueue {
  readonly parked: ParkedRequest[] = [];
  readonly backoffs: Array<{ receiptHandle: string; seconds: number }> = [];
  failure?: Error;
  async park(request: ParkedRequest): Promise<void> {
    if (this.failure) throw this.failure;
    this.parked.push(request);
  }
  async backoff(receiptHandle: string, seconds: number): Promise<void> {
    this.backoffs.push({ receiptHandle, seconds });
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
  } satisfies Deps & { counts: Record<string, number> };
  return deps;
}
