/**
 * The notifier's Lambda entry point, its own bundle (the webhook's cold start loads none of it). Invoked by an
 * EventBridge schedule every minute (infra/incidents.ts); the event is not read. Builds the edges once per
 * container and runs once per invocation (notifier.ts), bounded by the invocation's deadline.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { notifierDeps } from '../aws/notifier-deps';
import { metricsPort, requiredEnv } from '../aws/scheduled-entry';
import { DEFAULTS, parseAlertLanguage } from '../config';
import { Deadline } from '../deadline';
import { ENV, METRICS } from '../contract';
import { runNotifier, type NotifierRun } from './notifier';
import { parseReminderSchedule } from './schedule';

const logger = new Logger({ serviceName: METRICS.service });
const metrics = new Metrics({ namespace: METRICS.namespace, serviceName: METRICS.service });

const deps = notifierDeps({
  parameterPrefix: process.env[ENV.parameterPrefix] || DEFAULTS.parameterPrefix,
  incidentTableName: requiredEnv(ENV.incidentTableName),
  topicArn: requiredEnv(ENV.topicArn),
  schedule: parseReminderSchedule(process.env[ENV.reminderSchedule]),
  ackBaseUrl: process.env[ENV.webhookUrl] || undefined,
  consoleUrl: process.env[ENV.consoleUrl] || undefined,
  alertLanguage: parseAlertLanguage(process.env[ENV.alertLanguage]),
  log: logger,
  metrics: metricsPort(metrics),
});

/** One run. Returns what it did (visible in a test invoke); never throws for a dependency's failure. */
export async function handler(_event: unknown, context?: Context): Promise<NotifierRun> {
  logger.resetKeys();
  if (context) logger.addContext(context);
  logger.appendKeys({ source: 'notifier' });
  try {
    return await runNotifier(deps, Deadline.forInvocation(context));
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
}
