/**
 * The watchdog's edges on the AWS SDK, built one way for the Lambda (lambda/watchdog/handler.ts), for
 * `npm run check-account` and for the tests: SSM secrets, the Management API client (its credentials from the
 * same secrets), the state items in the dedupe table, and the SNS publisher.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DEFAULTS } from '../config';
import { WATCHDOG_FUNCTION } from '../contract';
import type { Log } from '../ports';
import { ManagementApi } from '../voximplant/management-api';
import type { WatchDeps, WatchMetrics } from '../watchdog/pass';
import type { ReminderSchedule } from '../incidents/model';
import { DynamoIncidentStore } from './dynamo-incidents';
import { DynamoWatchState } from './dynamo-watch-state';
import { SnsPublisher } from './sns-publisher';
import { SsmSecrets } from './ssm-secrets';
import { UnsentOnlyRetryStrategy } from './unsent-only-retry';

/** The same bounded waits as the receiver (lambda/handler.ts). */
export const WATCHDOG_CLIENT = {
  maxAttempts: 2,
  requestHandler: { connectionTimeout: 1000, requestTimeout: 1500, throwOnRequestTimeout: true },
} as const;

export interface WatchdogSetup {
  readonly parameterPrefix: string;
  readonly tableName: string;
  /** Unused by a dry pass (check-account). */
  readonly topicArn: string;
  readonly webhookUrl: string;
  readonly log: Log;
  readonly metrics: WatchMetrics;
  /** Default: VOXIMPLANT_API_URL, else the public host. */
  readonly apiBaseUrl?: string;
  /** Default WATCHDOG_FUNCTION.apiTimeoutMs. */
  readonly apiTimeoutMs?: number;
  readonly consoleUrl?: string;
  /** Epoch ms. Default Date.now. */
  readonly now?: () => number;
  /** Incidents' table; undefined: incidents off (check-account, tests that do not need them). */
  readonly incidentTableName?: string;
  /** The HTTP API's base URL, for acknowledge links; undefined: none. */
  readonly apiUrl?: string;
  /** When an opened incident's first reminder falls (the notifier's REMINDER_SCHEDULE); default DEFAULT_REMINDER_SCHEDULE. */
  readonly reminderSchedule?: ReminderSchedule;
}

/** The pass's dependencies, and `destroy` to close the SDK clients (tools and tests; the Lambda keeps them). */
export function watchdogDeps(setup: WatchdogSetup): WatchDeps & { destroy(): void } {
  const ssm = new SSMClient(WATCHDOG_CLIENT);
  const dynamodb = new DynamoDBClient(WATCHDOG_CLIENT);
  const sns = new SNSClient({ ...WATCHDOG_CLIENT, retryStrategy: new UnsentOnlyRetryStrategy(WATCHDOG_CLIENT.maxAttempts) });
  const now = setup.now ?? Date.now;
  // A short cache: one pass reads the secrets, and the API client asks for them again within it.
  const secrets = new SsmSecrets(ssm, setup.parameterPrefix, 60_000, setup.log);
  return {
    secrets,
    api: new ManagementApi(
      async () => {
        const { accountId, credentials } = await secrets.get();
        return { accountId, apiKey: credentials[0].apiKey };
      },
      { baseUrl: setup.apiBaseUrl, timeoutMs: setup.apiTimeoutMs ?? WATCHDOG_FUNCTION.apiTimeoutMs, now },
    ),
    store: new DynamoWatchState(dynamodb, setup.tableName, setup.log, now),
    publisher: new SnsPublisher(sns, setup.topicArn, setup.log),
    log: setup.log,
    metrics: setup.metrics,
    webhookUrl: setup.webhookUrl,
    consoleUrl: setup.consoleUrl ?? DEFAULTS.consoleUrl,
    now,
    ...(setup.incidentTableName
      ? {
          incidents: {
            store: new DynamoIncidentStore(dynamodb, setup.incidentTableName),
            now,
            ...(setup.reminderSchedule ? { schedule: setup.reminderSchedule } : {}),
            ...(setup.apiUrl ? { apiUrl: setup.apiUrl.replace(/\/+$/, '') } : {}),
          },
        }
      : {}),
    destroy: () => {
      for (const client of [ssm, dynamodb, sns]) client.destroy();
    },
  };
}
