/**
 * What the bench processes share besides statistics and the fixtures in local/: a Lambda context. Nothing here
 * comes from test/: the bench runs from a fresh clone without the tests.
 */
import type { Context } from 'aws-lambda';

/** A Lambda context with the stack's 10 s timeout fully left. */
export const BENCH_CONTEXT = {
  functionName: 'VoximplantAlerts-Receiver',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:VoximplantAlerts-Receiver',
  memoryLimitInMB: '256',
  awsRequestId: 'bench',
  logGroupName: '/aws/lambda/VoximplantAlerts-Receiver',
  logStreamName: 'bench',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 10_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
} as Context;
