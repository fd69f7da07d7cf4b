/**
 * The watchdog's Lambda entry point, its own bundle: the webhook's cold start loads none of it. Invoked by an
 * EventBridge schedule (infra/watchdog.ts); the event is not read. Builds the edges once per container and runs
 * one pass (pass.ts) per invocation, bounded by the invocation's deadline.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { watchdogDeps } from '../aws/watchdog-deps';
import { DEFAULTS } from '../config';
import { Deadline } from '../deadline';
import { ENV, METRICS } from '../contract';
import { runPass, type PassResult } from './pass';

const logger = new Logger({ serviceName: METRICS.service });
const metrics = new Metrics({ namespace: METRICS.namespace, serviceName: METRICS.service });

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: the stack sets it`);
  return value;
}

const deps = watchdogDeps({
  parameterPrefix: process.env[ENV.parameterPrefix] || DEFAULTS.parameterPrefix,
  tableName: required(ENV.dedupeTableName),
  topicArn: required(ENV.topicArn),
  webhookUrl: required(ENV.webhookUrl),
  consoleUrl: process.env[ENV.consoleUrl] || undefined,
  incidentTableName: process.env[ENV.incidentTableName] || undefined,
  apiUrl: process.env[ENV.apiUrl] || undefined,
  log: logger,
  metrics: {
    count: (name, value) => {
      if (value > 0) metrics.addMetric(name, MetricUnit.Count, value);
    },
    gauge: (name, value, unit) => metrics.addMetric(name, unit === 'Seconds' ? MetricUnit.Seconds : MetricUnit.Count, value),
  },
});

/** One pass. Returns its kind (visible in a test invoke); never throws for a dependency's failure. */
export async function handler(_event: unknown, context?: Context): Promise<PassResult['kind']> {
  logger.resetKeys();
  if (context) logger.addContext(context);
  logger.appendKeys({ source: 'watchdog' });
  try {
    return (await runPass(deps, Deadline.forInvocation(context))).kind;
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
}
