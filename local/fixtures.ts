/**
 * The signature test vector from the protocol reference (salt, account id, API key, callback id
 * and the md5 they give), secrets in the receiver's and the tools' shapes, and an API Gateway HTTP API event as
 * the stack's route delivers it. Shared by the tests and the bench.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Secrets } from '../lambda/model';
import type { VoxSecrets } from './provision';

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
