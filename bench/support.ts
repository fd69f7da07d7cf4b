/**
 * What the bench processes share besides statistics: the secrets they sign callbacks with, the HTTP API event a
 * webhook request arrives as (built by the local stack's adapter, tools/http-adapter.ts, as `npm start` builds
 * it), and a Lambda context. Nothing here comes from test/: the bench runs from a fresh clone without the tests.
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { Secrets } from '../lambda/callback';
import { toEvent } from '../tools/http-adapter';
import type { VoxSecrets } from '../tools/provision';

/** Throwaway secrets for the bench's signed callbacks (the protocol reference's example values). */
export const BENCH_VOX: VoxSecrets = { salt: 'mySalt123', accountId: '1234567', apiKey: 'a1b2c3d4-e5f6-7890-abcd-ef0123456789' };

/** The same, as the receiver's SecretsSource returns them. */
export const BENCH_SECRETS: Secrets = {
  accountId: BENCH_VOX.accountId,
  credentials: [{ salt: BENCH_VOX.salt, apiKey: BENCH_VOX.apiKey }],
};

/** `POST /` with a JSON body, as API Gateway's HTTP API (payload 2.0) hands it to the function. */
export function webhookEvent(body: string): APIGatewayProxyEventV2 {
  return toEvent({
    method: 'POST',
    url: '/',
    rawHeaders: ['Host', 'bench.execute-api.us-east-1.amazonaws.com', 'Content-Type', 'application/json'],
    body: Buffer.from(body),
    sourceIp: '203.0.113.7',
  });
}

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
