/**
 * The Lambda entry point: builds the AWS edges once per container (outside the handler, so warm
 * invocations reuse clients and cached secrets), then routes each event: webhook requests from the
 * HTTP API, parked requests from the retry queue.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { DynamoDedupe } from './aws/dynamo-dedupe';
import { DynamoIncidentStore } from './aws/dynamo-incidents';
import { DynamoWatchState } from './aws/dynamo-watch-state';
import { SnsPublisher } from './aws/sns-publisher';
import { SqsRetryQueue } from './aws/sqs-retry-queue';
import { SsmSecrets } from './aws/ssm-secrets';
import { UnsentOnlyRetryStrategy } from './aws/unsent-only-retry';
import { loadConfig } from './config';
import { Deadline } from './deadline';
import { errorMessage } from './errors';
import { METRICS } from './contract';
import type { AccountInfoSource, SecretsSource } from './ports';
import { json } from './request';
import { handleWebhook, type HttpDeps } from './http';
import { handleRetries, type QueueDeps } from './queue';
import type { ManagementApi } from './voximplant/management-api';

const logger = new Logger({ serviceName: METRICS.service });
const metrics = new Metrics({ namespace: METRICS.namespace, serviceName: METRICS.service });
const config = loadConfig();

/**
 * Bounded waits: a stalled dependency must fail fast enough that the request can still be parked before
 * the function's 10 s timeout. `requestTimeout` alone only logs a warning (throwOnRequestTimeout makes it an
 * error), and two attempts per call bound each call to about 3 s, so even DynamoDB, SNS and SQS all
 * stalled in turn end before the timeout (measured in test/integration/faults.test.ts, fault 8).
 * SNS alone retries only what cannot have arrived: a publish has no idempotency key (fault 13).
 * These end at the response headers; the whole call, body included, is bounded by the invocation's
 * Deadline (deadline.ts).
 */
const client = {
  maxAttempts: 2,
  requestHandler: { connectionTimeout: 1000, requestTimeout: 1500, throwOnRequestTimeout: true },
};

/**
 * Voximplant's Management API for balance confirmation (confirm.ts), built once, on first use: the module is
 * imported dynamically (esbuild keeps it lazy inside the bundle), so a cold start does not pay for it and a
 * container that never confirms never loads it. It authenticates with the account id and current API key the
 * callbacks are verified with (SSM, cached), read within the client's own wait. A bad base URL fails every
 * call (an unconfirmed alert, logged), never the receiver.
 */
function lazyAccountInfo(baseUrl: string, secrets: SecretsSource): AccountInfoSource {
  let api: Promise<ManagementApi> | undefined;
  return {
    async getAccountInfo(options) {
      api ??= import('./voximplant/management-api').then(
        ({ ManagementApi, MANAGEMENT_API }) =>
          new ManagementApi(
            async () => {
              const { accountId, credentials } = await secrets.get(AbortSignal.timeout(MANAGEMENT_API.timeoutMs));
              return { accountId, apiKey: credentials[0].apiKey };
            },
            { baseUrl },
          ),
      );
      return (await api).getAccountInfo(options);
    },
  };
}

const secrets = new SsmSecrets(new SSMClient(client), config.parameterPrefix, config.secretsTtlSeconds * 1000, logger);

const dynamodb = new DynamoDBClient(client);
const deps: HttpDeps & QueueDeps = {
  config,
  log: logger,
  counters: {
    count: (name, value) => {
      if (value > 0) metrics.addMetric(name, MetricUnit.Count, value);
    },
  },
  secrets,
  dedupe: new DynamoDedupe(dynamodb, config.dedupeTableName, config.dedupeTtlDays * 86_400, logger),
  sightings: new DynamoWatchState(dynamodb, config.dedupeTableName, logger),
  publisher: new SnsPublisher(
    new SNSClient({ ...client, retryStrategy: new UnsentOnlyRetryStrategy(client.maxAttempts) }),
    config.topicArn,
    logger,
  ),
  retryQueue: new SqsRetryQueue(() => new SQSClient(client), config.retryQueueUrl, logger),
  // Incidents: on when INCIDENT_TABLE_NAME is set (the stack sets it), off otherwise; links need API_URL too.
  ...(config.incidentTableName
    ? {
        incidents: {
          store: new DynamoIncidentStore(dynamodb, config.incidentTableName),
          now: Date.now,
          schedule: config.reminderSchedule,
          ...(config.apiUrl ? { apiUrl: config.apiUrl } : {}),
        },
      }
    : {}),
  // Balance confirmation: on when VOXIMPLANT_API_URL is set (the stack sets it), off otherwise.
  ...(config.voximplantApiUrl ? { accountInfo: lazyAccountInfo(config.voximplantApiUrl, secrets) } : {}),
};

function isQueueEvent(event: unknown): event is SQSEvent {
  const records = (event as Partial<SQSEvent> | null)?.Records;
  return Array.isArray(records) && records.every((r) => r?.eventSource === 'aws:sqs');
}

export async function handler(event: APIGatewayProxyEventV2, context?: Context): Promise<APIGatewayProxyStructuredResultV2>;
export async function handler(event: SQSEvent, context?: Context): Promise<SQSBatchResponse>;
export async function handler(
  event: APIGatewayProxyEventV2 | SQSEvent,
  context?: Context,
): Promise<APIGatewayProxyStructuredResultV2 | SQSBatchResponse> {
  // Keys are per invocation: a warm container must not stamp one request's id on the next one's lines.
  logger.resetKeys();
  if (context) logger.addContext(context);
  const deadline = Deadline.forInvocation(context);
  try {
    if (isQueueEvent(event)) {
      // An unexpected error here fails the whole batch: SQS redelivers it and dedupe keeps alerts single.
      logger.appendKeys({ source: 'retry-queue' });
      return await handleRetries(event, deps, Date.now, deadline);
    }
    logger.appendKeys({ source: 'webhook', requestId: event.requestContext?.requestId });
    try {
      return await handleWebhook(event, deps, Date.now, deadline);
    } catch (error) {
      // A bug, not an outage of a dependency; still answer 5xx so the sender may retry. Counted, and paged on:
      // the callbacks in this request were not alerted.
      metrics.addMetric(METRICS.names.unhandledErrors, MetricUnit.Count, 1);
      logger.error('Unhandled error', { error: errorMessage(error) });
      return json(500, { message: 'internal error' });
    }
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
}
