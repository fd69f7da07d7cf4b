/**
 * The HTTP edge: API Gateway HTTP API (payload format 2.0) events in, responses out.
 * Decides what kind of request this is before anything else looks at the body.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export type Request =
  | { readonly kind: 'health' }
  | { readonly kind: 'callbacks'; readonly body: string }
  | { readonly kind: 'refused'; readonly response: APIGatewayProxyStructuredResultV2 };

export function json(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: JSON.stringify(body),
  };
}

/** Reads the raw body, bounded: an oversized body is refused before it is decoded or parsed. */
export function readRequest(event: APIGatewayProxyEventV2, maxBodyBytes: number): Request {
  const method = event.requestContext?.http?.method ?? 'POST';
  if (method === 'GET' || method === 'HEAD') return { kind: 'health' };
  if (method !== 'POST') return { kind: 'refused', response: json(405, { message: 'method not allowed' }) };

  const raw = typeof event.body === 'string' ? event.body : '';
  const tooLarge = json(413, { message: `body larger than ${maxBodyBytes} bytes` });
  if (event.isBase64Encoded) {
    // base64 is 4 chars per 3 bytes: refuse on the encoded length before allocating the decoded copy.
    if (Math.floor((raw.length * 3) / 4) - 2 > maxBodyBytes) return { kind: 'refused', response: tooLarge };
    const bytes = Buffer.from(raw, 'base64');
    if (bytes.length > maxBodyBytes) return { kind: 'refused', response: tooLarge };
    return { kind: 'callbacks', body: bytes.toString('utf8') };
  }
  // A UTF-8 char is at most 3 bytes per UTF-16 unit, so short strings skip the exact count.
  if (raw.length * 3 > maxBodyBytes && Buffer.byteLength(raw, 'utf8') > maxBodyBytes) {
    return { kind: 'refused', response: tooLarge };
  }
  return { kind: 'callbacks', body: raw };
}
