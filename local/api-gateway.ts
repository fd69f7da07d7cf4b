/**
 * Plain HTTP ⇄ API Gateway HTTP API (payload format 2.0), for `npm start`: translates a node:http request
 * into the event API Gateway would hand the Lambda, and the Lambda's result back into an HTTP response.
 * Pure apart from readBody (which reads a stream) and the random request id: no server, no AWS.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { ACK_ROUTE } from '../lambda/contract';

/** API Gateway's payload limit: larger requests never reach the function. */
export const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

/** What the server knows about a request once its body is read. */
export interface RawRequest {
  readonly method: string;
  /** Path and query as received (`req.url`). */
  readonly url: string;
  /** node's `req.rawHeaders`: alternating names and values, duplicates kept. */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
  readonly sourceIp: string;
  /** `req.httpVersion`, e.g. '1.1'. */
  readonly httpVersion?: string;
}

export interface EventOptions {
  readonly now?: Date;
  readonly requestId?: string;
}

export interface HttpResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string | string[]>>;
  readonly body: Buffer;
}

/** Which function a route invokes: the receiver, or the acknowledge route's own (infra/acknowledge.ts). */
export type RouteTarget = 'receiver' | 'acknowledge';

/** A request matched to one of the stack's routes. */
export interface Route {
  /** API Gateway's `routeKey`, e.g. `POST /` or `GET /ack/{token}`. */
  readonly routeKey: string;
  readonly target: RouteTarget;
  /** The path's `{name}` segments, as received (API Gateway's `pathParameters`). */
  readonly pathParameters?: Readonly<Record<string, string>>;
}

/** The acknowledge route's path as a pattern: one non-empty segment after the prefix. */
const ACK_PATH = new RegExp(`^${ACK_ROUTE.prefix}([^/]+)$`);

/**
 * The routes the stack defines (infra/stack.ts: POST / and GET / to the receiver; infra/acknowledge.ts: GET and
 * POST /ack/{token}). Anything else has no route: API Gateway answers 404 itself without invoking a function.
 */
export function routeFor(method: string, path: string): Route | undefined {
  const upper = method.toUpperCase();
  if (upper !== 'GET' && upper !== 'POST') return undefined;
  if (path === '/') return { routeKey: `${upper} /`, target: 'receiver' };
  const token = ACK_PATH.exec(path)?.[1];
  if (token === undefined) return undefined;
  return { routeKey: `${upper} ${ACK_ROUTE.path}`, target: 'acknowledge', pathParameters: { [ACK_ROUTE.parameter]: token } };
}

/** The route key of `method path`, or undefined when the stack has no such route. */
export function routeKeyFor(method: string, path: string): string | undefined {
  return routeFor(method, path)?.routeKey;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

/** API Gateway's `requestContext.time`: `29/Nov/2025:01:56:07 +0000`. */
export function formatRequestTime(date: Date): string {
  return (
    `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Valid UTF-8 without NUL bytes is passed as text; anything else as base64, the way API Gateway marks binary. */
export function encodeBody(body: Buffer): { body?: string; isBase64Encoded: boolean } {
  if (body.length === 0) return { isBase64Encoded: false };
  if (!body.includes(0)) {
    try {
      return { body: utf8.decode(body), isBase64Encoded: false };
    } catch {
      // not UTF-8: binary
    }
  }
  return { body: body.toString('base64'), isBase64Encoded: true };
}

/** Header names lower-cased, repeated headers joined with commas; cookies go to their own list. */
export function collectHeaders(rawHeaders: readonly string[]): { headers: Record<string, string>; cookies: string[] } {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    const value = rawHeaders[i + 1];
    if (name === 'cookie') {
      cookies.push(
        ...value
          .split(';')
          .map((c) => c.trim())
          .filter(Boolean),
      );
      continue;
    }
    headers[name] = Object.prototype.hasOwnProperty.call(headers, name) ? `${headers[name]},${value}` : value;
  }
  return { headers, cookies };
}

function queryParameters(rawQueryString: string): Record<string, string> | undefined {
  if (rawQueryString === '') return undefined;
  const params: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(rawQueryString)) {
    params[key] = Object.prototype.hasOwnProperty.call(params, key) ? `${params[key]},${value}` : value;
  }
  return params;
}

/** API Gateway request ids look like `JKJaXmPLvHcESHA=`. */
export function newRequestId(): string {
  return randomBytes(10).toString('base64');
}

export function toEvent(request: RawRequest, options: EventOptions = {}): APIGatewayProxyEventV2 {
  const now = options.now ?? new Date();
  const method = request.method.toUpperCase();
  const withoutFragment = request.url.split('#')[0];
  const queryAt = withoutFragment.indexOf('?');
  const rawPath = (queryAt === -1 ? withoutFragment : withoutFragment.slice(0, queryAt)) || '/';
  const rawQueryString = queryAt === -1 ? '' : withoutFragment.slice(queryAt + 1);
  const { headers, cookies } = collectHeaders(request.rawHeaders);
  headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']}, ${request.sourceIp}` : request.sourceIp;
  headers['x-forwarded-proto'] ??= 'http';
  const domainName = (headers.host ?? 'localhost').replace(/:\d+$/, '');
  const route = routeFor(method, rawPath);
  const routeKey = route?.routeKey ?? '$default';
  const queryStringParameters = queryParameters(rawQueryString);
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(queryStringParameters ? { queryStringParameters } : {}),
    ...(route?.pathParameters ? { pathParameters: { ...route.pathParameters } } : {}),
    requestContext: {
      accountId: 'anonymous',
      apiId: 'local',
      domainName,
      domainPrefix: domainName.split('.')[0],
      http: {
        method,
        path: rawPath,
        protocol: `HTTP/${request.httpVersion ?? '1.1'}`,
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: options.requestId ?? newRequestId(),
      routeKey,
      stage: '$default',
      time: formatRequestTime(now),
      timeEpoch: now.getTime(),
    },
    ...encodeBody(request.body),
  };
}

function jsonResponse(statusCode: number, body: unknown): HttpResponse {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(body)) };
}

/** What API Gateway answers itself, without invoking the function. */
export const GATEWAY_RESPONSES = {
  notFound: jsonResponse(404, { message: 'Not Found' }),
  tooLarge: jsonResponse(413, { message: 'Request Entity Too Large' }),
  /** The function failed: it threw, or ran past its timeout. */
  internalError: jsonResponse(500, { message: 'Internal Server Error' }),
} as const;

/**
 * The function's result as API Gateway turns it into a response: a structured result as given; any other
 * JSON value (no statusCode) as a 200 application/json body, the way payload format 2.0 infers a response.
 */
export function fromResult(result: unknown): HttpResponse {
  if (result === undefined) return GATEWAY_RESPONSES.internalError;
  if (typeof result === 'string') {
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(result, 'utf8') };
  }
  if (typeof result !== 'object' || result === null || !('statusCode' in result)) return jsonResponse(200, result);
  const structured = result as APIGatewayProxyStructuredResultV2;
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(structured.headers ?? {})) headers[name.toLowerCase()] = String(value);
  if (structured.cookies && structured.cookies.length > 0) headers['set-cookie'] = [...structured.cookies];
  const text = structured.body ?? '';
  return {
    statusCode: structured.statusCode ?? 200,
    headers,
    body: structured.isBase64Encoded ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8'),
  };
}

/** A minimal Lambda context, so the function's logs carry the same keys they carry in AWS. */
export function lambdaContext(functionName: string, timeoutMs: number, region = 'us-east-1'): Context {
  const deadline = Date.now() + timeoutMs;
  const unsupported = () => {
    throw new Error('not supported locally');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

export type BodyResult = { readonly ok: true; readonly body: Buffer } | { readonly ok: false; readonly reason: 'too-large' };

/**
 * Reads a request body of at most `maxBytes`. Past the cap it stops reading (pausing the stream, so
 * nothing more is buffered) and answers too-large; the caller answers 413 and closes the connection.
 */
export function readBody(stream: Readable, maxBytes = MAX_REQUEST_BYTES): Promise<BodyResult> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('aborted', onAborted);
    };
    const onData = (chunk: Buffer | string) => {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += buffer.length;
      if (size > maxBytes) {
        cleanup();
        chunks.length = 0;
        stream.pause();
        resolve({ ok: false, reason: 'too-large' });
        return;
      }
      chunks.push(buffer);
    };
    const onEnd = () => {
      cleanup();
      resolve({ ok: true, body: Buffer.concat(chunks, size) });
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onAborted = () => onError(new Error('request aborted'));
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', onError);
    stream.once('aborted', onAborted);
  });
}
