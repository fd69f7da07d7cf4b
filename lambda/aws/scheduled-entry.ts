/**
 * What the scheduled functions' entries (lambda/watchdog/handler.ts, lambda/incidents/handler.ts) share: a
 * required environment variable, and Powertools' Metrics as the small counts-and-gauges interface their cores use.
 */
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';

/** `process.env[name]`, or throws naming it: the stack sets every variable an entry requires. */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: the stack sets it`);
  return value;
}

/** Counts (zero is not emitted) and gauges (a value as it is now; Count unless it is an age in Seconds) on `metrics`. */
export function metricsPort(metrics: Metrics) {
  return {
    count: (name: string, value: number) => {
      if (value > 0) metrics.addMetric(name, MetricUnit.Count, value);
    },
    gauge: (name: string, value: number, unit: 'Seconds' | 'Count' = 'Count') =>
      metrics.addMetric(name, unit === 'Seconds' ? MetricUnit.Seconds : MetricUnit.Count, value),
  };
}
