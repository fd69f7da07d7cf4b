/**
 * The notifier's Lambda entry point, its own bundle (the webhook's cold start loads none of it). Invoked by an
 * EventBridge schedule every minute (infra/incidents.ts); the event is not read. Builds the edges once per
 * container and runs once per invocation (notifier.ts), bounded by the invocation's deadline.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { notifierDeps } from '../aws/notifier-deps';
import { DEFAULTS, parseAlertLanguage } from '../config';
import { Deadline } from '../deadline';
import { ENV, METRICS } from '../contract';
import { runNotifier, type NotifierRun } from './notifier';
import { parseReminderSchedule } from './schedule';

const logger = new Logger({ serviceName: METRICS.service });
const metrics = new Metrics({ namespace: METRICS.namespace, serviceName: METRICS.service });

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: the stack sets it`);
  return value;
}

const deps = notifierDeps({
  parameterPrefix: process.env[ENV.parameterPrefix] || DEFAULTS.parameterPrefix,
  incidentTableName: required(ENV.incidentTableName),
  topicArn: required(ENV.topicArn),
  schedule: parseReminderSchedule(process.env[ENV.reminderSchedule]),
  ackBaseUrl: process.env[ENV.webhookUrl] || undefined,
  consoleUrl: process.env[ENV.consoleUrl] || undefined,
  alertLanguage: parseAlertLanguage(process.env[ENV.alertLanguage]),
  log: logger,
  metrics: {
    count: (name, value) => {
      if (value > 0) metrics.addMetric(name, MetricUnit.Count, value);
    },
    gauge: (name, value) => metrics.addMetric(name, MetricUnit.Count, value),
  },
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
