/**
 * The notifier's edges on the AWS SDK, built one way for the Lambda (lambda/incidents/handler.ts), the local
 * stack and the tests: the incident table, the acknowledge key in SSM, and the SNS publisher.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DEFAULTS, parameterNames } from '../config';
import type { NotifierDeps, NotifierMetrics } from '../incidents/notifier';
import type { ReminderSchedule } from '../incidents/model';
import type { Log } from '../ports';
import type { AlertLanguage } from '../render/i18n';
import { DynamoIncidentStore } from './dynamo-incidents';
import { SnsPublisher } from './sns-publisher';
import { SsmAckKey } from './ssm-ack-key';
import { UnsentOnlyRetryStrategy } from './unsent-only-retry';
import { WATCHDOG_CLIENT } from './watchdog-deps';

export interface NotifierSetup {
  readonly parameterPrefix: string;
  readonly incidentTableName: string;
  readonly topicArn: string;
  readonly schedule: ReminderSchedule;
  /** The stack's WebhookUrl (the stage URL): acknowledge links hang off it. Undefined: no links. */
  readonly ackBaseUrl?: string;
  readonly consoleUrl?: string;
  readonly alertLanguage?: AlertLanguage;
  readonly log: Log;
  readonly metrics: NotifierMetrics;
  /** Epoch ms. Default Date.now. */
  readonly now?: () => number;
}

/** How long the acknowledge key stays cached: a rotated key signs links within 5 minutes. */
const ACK_KEY_TTL_MS = 300_000;

/** The run's dependencies, and `destroy` to close the SDK clients (local stack and tests; the Lambda keeps them). */
export function notifierDeps(setup: NotifierSetup): NotifierDeps & { destroy(): void } {
  // The same bounded waits as the receiver and the watchdog.
  const ssm = new SSMClient(WATCHDOG_CLIENT);
  const dynamodb = new DynamoDBClient(WATCHDOG_CLIENT);
  const sns = new SNSClient({ ...WATCHDOG_CLIENT, retryStrategy: new UnsentOnlyRetryStrategy(WATCHDOG_CLIENT.maxAttempts) });
  const now = setup.now ?? Date.now;
  return {
    store: new DynamoIncidentStore(dynamodb, setup.incidentTableName),
    publisher: new SnsPublisher(sns, setup.topicArn, setup.log),
    ackKey: new SsmAckKey(ssm, parameterNames(setup.parameterPrefix).ackKey, ACK_KEY_TTL_MS, now),
    log: setup.log,
    metrics: setup.metrics,
    schedule: setup.schedule,
    consoleUrl: setup.consoleUrl ?? DEFAULTS.consoleUrl,
    ...(setup.ackBaseUrl ? { ackBaseUrl: setup.ackBaseUrl } : {}),
    ...(setup.alertLanguage ? { alertLanguage: setup.alertLanguage } : {}),
    now,
    destroy: () => {
      for (const client of [ssm, dynamodb, sns]) client.destroy();
    },
  };
}
