/**
 * The watchdog pass (lambda/watchdog/pass.ts) over in-memory edges: its state store, an account that answers
 * GetAccountInfo as a test sets it (linked to the stack and healthy to start with), and the deps around them.
 */
import type { IncidentDeps } from '../../lambda/incidents/track';
import type { AccountInfo } from '../../lambda/voximplant/management-api';
import type { AssessOptions, WatchState } from '../../lambda/watchdog/findings';
import type { WatchDeps, WatchMetrics } from '../../lambda/watchdog/pass';
import type { CallbackSightings, StoredWatchState, WatchStateStore } from '../../lambda/watchdog/ports';
import { SECRETS, VOX } from '../../local/fixtures';
import { FakeSecrets, MemoryLog } from './fakes';
import type { Publisher } from '../../lambda/ports';
import { SecretText } from '../../lambda/voximplant/secret-text';

export class MemoryWatchState implements WatchStateStore {
  stored: StoredWatchState = { state: { open: {}, balance: {} }, version: 0 };
  constructor(private readonly seen: CallbackSightings = {}) {}
  async read(): Promise<StoredWatchState> {
    return this.stored;
  }
  async write(_: string, state: WatchState, expected: number): Promise<boolean> {
    if (this.stored.version !== expected) return false;
    this.stored = { state, version: expected + 1 };
    return true;
  }
  async sightings(): Promise<CallbackSightings> {
    return this.seen;
  }
}

export type Account = { -readonly [K in keyof AccountInfo]: AccountInfo[K] };

/** What GetAccountInfo answers for VOX's account, linked to `webhookUrl`: balance 50 over a threshold of 10, not frozen. */
export function linkedAccount(webhookUrl: string): Account {
  return {
    accountId: VOX.accountId,
    balance: 50,
    minBalanceToNotify: 10,
    frozen: false,
    currency: 'USD',
    callbackUrl: webhookUrl,
    callbackSalt: new SecretText(VOX.salt),
    readAt: 0,
  };
}

/** A pass's deps: `account` answers as it is at the time of each call; the secrets carry `ackKey`. */
export function watchDeps(options: {
  readonly account: Account;
  readonly publisher: Publisher;
  readonly now: () => number;
  readonly webhookUrl: string;
  readonly ackKey: string;
  readonly metrics?: WatchMetrics;
  readonly incidents?: IncidentDeps;
  readonly assess?: AssessOptions;
  readonly sightings?: CallbackSightings;
}): WatchDeps {
  const { account, now } = options;
  return {
    secrets: new FakeSecrets({ ...SECRETS, ackKey: options.ackKey }),
    api: { getAccountInfo: async () => ({ ...account, readAt: now() }) },
    store: new MemoryWatchState(options.sightings),
    publisher: options.publisher,
    log: new MemoryLog(),
    metrics: options.metrics ?? { count: () => undefined, gauge: () => undefined },
    webhookUrl: options.webhookUrl,
    consoleUrl: 'https://manage.voximplant.com/',
    now,
    ...(options.assess === undefined ? {} : { assess: options.assess }),
    ...(options.incidents === undefined ? {} : { incidents: options.incidents }),
  };
}
