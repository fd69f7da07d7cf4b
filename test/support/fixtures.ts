/** Secrets and helpers shared by the tests. The test vector comes from the protocol reference. */
import type { APIGatewayProxyEventV2, SQSRecord } from 'aws-lambda';
import type { Secrets } from '../../lambda/model';
import { encodeParked } from '../../lambda/aws/parked-codec';
import type { VoxSecrets } from '../../tools/provision';

export const VECTOR = {
  salt: 'mySalt123',
  accountId: '1234567',
  apiKey: 'a1b2c3d4-e5f6-7890-abcd-ef0123456789',
  callbackId: 987654,
  hash: '56dab05d4229ab1a03ac715bb5d143b2',
} as const;

export const VOX: VoxSecrets = { salt: VECTOR.salt, accountId: VECTOR.accountId, apiKey: VECTOR.apiKey };

export const SECRETS: Secrets = {
  accountId: VECTOR.accountId,
  credentials: [{ salt: VECTOR.salt, apiKey: VECTOR.apiKey }],
};

let requestCounter = 0;

/** An API Gateway HTTP API (payload 2.0) event, as the stack's route delivers it. */
export function httpEvent(body: string | undefined, options: { method?: string; base64?: boolean } = {}): APIGatewayProxyEventV2 {
  const method = options.method ?? 'POST';
  requestCounter += 1;
  return {
    version: '2.0',
    routeKey: `${method} /`,
    rawPath: '/',
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    isBase64Encoded: options.base64 ?? false,
    body: options.base64 && body !== undefined ? Buffer.from(body).toString('base64') : body,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'example.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'example',
      http: { method, path: '/', protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'test' },
      requestId: `req-${requestCounter}`,
      routeKey: `${method} /`,
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
  };
}

/**
 * An SQS record of a parked request as Lambda's event source hands it over (message attributes from
 * encodeParked); `legacy`: parked by an earlier version, without the `verified` attribute.
 */
export function parkedRecord(
  body: string,
  options: { id?: string; receiveCount?: number; receivedAt?: number; verified?: boolean; legacy?: boolean } = {},
): SQSRecord {
  const encoded = encodeParked({ body, receivedAt: options.receivedAt ?? 1_700_000_000_000, verified: options.verified ?? false });
  const { body: messageBody } = encoded;
  const attributes = Object.fromEntries(Object.entries(encoded.attributes).filter(([name]) => !options.legacy || name !== 'verified'));
  return {
    messageId: options.id ?? 'm1',
    receiptHandle: `rh-${options.id ?? 'm1'}`,
    body: messageBody,
    attributes: {
      ApproximateReceiveCount: String(options.receiveCount ?? 1),
      SentTimestamp: '1700000000000',
      SenderId: 'x',
      ApproximateFirstReceiveTimestamp: '1700000000000',
    },
    messageAttributes: Object.fromEntries(
      Object.entries(attributes).map(([k, v]) => [k, { stringValue: v, dataType: 'String', stringListValues: [], binaryListValues: [] }]),
    ),
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:retry',
    awsRegion: 'us-east-1',
  };
}
