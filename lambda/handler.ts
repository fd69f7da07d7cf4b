/**
 * The Lambda entry point: builds the AWS edges once per container (outside the handler, so warm
 * invocations reuse clients and cached secrets), then hands each event to the receiver.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { DynamoDedupe } from './aws/dynamo-dedupe';
import { SnsPublisher } from './aws/sns-publisher';
import { SsmSecrets } from './aws/ssm-secrets';
import { loadConfig } from './config';
import { describe } from './errors';
import { METRICS } from './names';
import { receive, type Deps } from './receiver';
import { json } from './request';

const logger = new Logger({ serviceName: METRICS.service });
const metrics = new Metrics({ namespace: METRICS.namespace, serviceName: METRICS.service });
const config = loadConfig();

const deps: Deps = {
  config,
  log: logger,
  counters: {
    count: (name, value) => {
      if (value > 0) metrics.addMetric(name, MetricUnit.Count, value);
    },
  },
  secrets: new SsmSecrets(new SSMClient({}), config.parameterPrefix, config.secretsTtlSeconds * 1000, logger),
  dedupe: new DynamoDedupe(new DynamoDBClient({}), config.dedupeTableName, config.dedupeTtlDays * 86_400, logger),
  publisher: new SnsPublisher(new SNSClient({}), config.topicArn, logger),
};

export async function handler(
  event: APIGatewayProxyEventV2,
  context?: Context,
): Promise<APIGatewayProxyStructuredResultV2> {
  if (context) logger.addContext(context);
  logger.appendKeys({ requestId: event.requestContext?.requestId });
  try {
    return await receive(event, deps);
  } catch (error) {
    // A bug, not an outage of a dependency; still answer 5xx so the sender may retry.
    logger.error('Unhandled error', { error: describe(error) });
    return json(500, { message: 'internal error' });
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
}
