/**
 * The watchdog's Lambda entry point, its own bundle: the webhook's cold start loads none of it. Invoked by an
 * EventBridge schedule (infra/watchdog.ts); the event is not read. Builds the edges once per container and runs
 * one pass (pass.ts) per invocation, bounded by the invocation's deadline.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { DynamoWatchState } from '../aws/dynamo-watch-state';
import { SnsPublisher } from '../aws/sns-publisher';
import { SsmSecrets } from '../aws/ssm-secrets';
import { UnsentOnlyRetryStrategy } from '../aws/unsent-only-retry';
import { DEFAULTS } from '../config';
import { Deadline } from '../deadline';
import { ENV, METRICS, WATCHDOG_FUNCTION } from '../names';
import { ManagementApi } from '../voximplant/management-api';
import { runPass, type PassResult, type WatchDeps } from './pass';

const logger = new Logger({ serviceName: METRICS.service });
const metrics = new Metrics({ namespace: METRICS.namespace, serviceName: METRICS.service });

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: the stack sets it`);
  return value;
}

/** The same bounded waits as the receiver (lambda/handler.ts). */
const client = {
  maxAttempts: 2,
  requestHandler: { connectionTimeout: 1000, requestTimeout: 1500, throwOnRequestTimeout: true },
};
const tableName = required(ENV.dedupeTableName);
const secrets = new SsmSecrets(new SSMClient(client), process.env[ENV.parameterPrefix] || DEFAULTS.parameterPrefix, 60_000, logger);
const deps: WatchDeps = {
  secrets,
  api: new ManagementApi(
    async () => {
      const { accountId, credentials } = await secrets.get();
      return { accountId, apiKey: credentials[0].apiKey };
    },
    { timeoutMs: WATCHDOG_FUNCTION.apiTimeoutMs },
  ),
  store: new DynamoWatchState(new DynamoDBClient(client), tableName, logger),
  publisher: new SnsPublisher(
    new SNSClient({ ...client, retryStrategy: new UnsentOnlyRetryStrategy(client.maxAttempts) }),
    required(ENV.topicArn),
    logger,
  ),
  log: logger,
  metrics: {
    count: (name, value) => {
      if (value > 0) metrics.addMetric(name, MetricUnit.Count, value);
    },
    gauge: (name, value, unit) => metrics.addMetric(name, unit === 'Seconds' ? MetricUnit.Seconds : MetricUnit.Count, value),
  },
  webhookUrl: required(ENV.webhookUrl),
  consoleUrl: process.env[ENV.consoleUrl] || DEFAULTS.consoleUrl,
  now: Date.now,
};

/** One pass. Returns what it found (visible in a test invoke); never throws for a dependency's failure. */
export async function handler(_event: unknown, context?: Context): Promise<PassResult['kind']> {
  logger.resetKeys();
  if (context) logger.addContext(context);
  logger.appendKeys({ source: 'watchdog' });
  try {
    const result = await runPass(deps, Deadline.forInvocation(context));
    return result.kind;
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
}
