/**
 * The acknowledge route's Lambda entry point (`GET|POST /ack/{token}` on the webhook's HTTP API), its own bundle
 * and function (infra/acknowledge.ts): the webhook's cold start loads none of it, and its role can read only the
 * acknowledge key and the incident table. Builds the edges once per container; each request is decided by
 * ack-route.ts within the invocation's deadline.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SSMClient } from '@aws-sdk/client-ssm';
import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { DynamoIncidentStore } from '../aws/dynamo-incidents';
import { SsmAckKey } from '../aws/ssm-ack-key';
import { ACK_FUNCTION, ENV, METRICS } from '../contract';
import { Deadline } from '../deadline';
import { handleAck, type AckDeps } from './ack-route';

const logger = new Logger({ serviceName: METRICS.service });
const metrics = new Metrics({ namespace: METRICS.namespace, serviceName: METRICS.service });

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: the stack sets it; locally, \`npm start\` does`);
  return value;
}

/** The same bounded waits as the receiver's clients (lambda/handler.ts says why). */
const client = { maxAttempts: 2, requestHandler: { connectionTimeout: 1000, requestTimeout: 1500, throwOnRequestTimeout: true } };

const deps: AckDeps = {
  store: new DynamoIncidentStore(new DynamoDBClient(client), required(ENV.incidentTableName)),
  // The exact name, from the stack (not the prefix: config.ts would bring the alert texts into this bundle).
  ackKey: new SsmAckKey(new SSMClient(client), required(ENV.ackKeyParameter), ACK_FUNCTION.keyTtlSeconds * 1000),
  log: logger,
  counters: {
    count: (name, value) => {
      if (value > 0) metrics.addMetric(name, MetricUnit.Count, value);
    },
  },
};

export async function handler(event: APIGatewayProxyEventV2, context?: Context): Promise<APIGatewayProxyStructuredResultV2> {
  logger.resetKeys();
  if (context) logger.addContext(context);
  logger.appendKeys({ source: 'acknowledge', requestId: event.requestContext?.requestId });
  try {
    return await handleAck(event, deps, Date.now(), Deadline.forInvocation(context));
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
}
