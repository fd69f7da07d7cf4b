/**
 * The watchdog's Lambda entry point, its own bundle: the webhook's cold start loads none of it. Invoked by an
 * EventBridge schedule (infra/watchdog.ts); the event is not read. Builds the edges once per container and runs
 * one pass (pass.ts) per invocation, bounded by the invocation's deadline.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { watchdogDeps } from '../aws/watchdog-deps';
import { parseReminderSchedule } from '../incidents/schedule';
import { metricsPort, requiredEnv } from '../aws/scheduled-entry';
import { DEFAULTS } from '../config';
import { Deadline } from '../deadline';
import { ENV, METRICS } from '../contract';
import { runPass, type PassResult } from './pass';

const logger = new Logger({ serviceName: METRICS.service });
const metrics = new Metrics({ namespace: METRICS.namespace, serviceName: METRICS.service });

const deps = watchdogDeps({
  parameterPrefix: process.env[ENV.parameterPrefix] || DEFAULTS.parameterPrefix,
  tableName: requiredEnv(ENV.dedupeTableName),
  topicArn: requiredEnv(ENV.topicArn),
  webhookUrl: requiredEnv(ENV.webhookUrl),
  consoleUrl: process.env[ENV.consoleUrl] || undefined,
  incidentTableName: process.env[ENV.incidentTableName] || undefined,
  apiUrl: process.env[ENV.apiUrl] || undefined,
  reminderSchedule: parseReminderSchedule(process.env[ENV.reminderSchedule]),
  log: logger,
  metrics: metricsPort(metrics),
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
