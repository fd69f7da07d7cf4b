/**
 * The HTTP edge: API Gateway HTTP API (payload format 2.0) events in, responses out.
 * Decides what kind of request this is before anything else looks at the body.
 */
import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
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

/**
 * Decoders for the `Content-Encoding`s a sender may use (RFC 9110 section 8.4.1): each stops at
 * `maxOutputLength` bytes, so a small "zip bomb" costs no more than a body of the bound.
 */
const DECODERS: Readonly<Record<string, (input: Buffer, maxOutputLength: number) => Buffer>> = {
  gzip: (input, maxOutputLength) => gunzipSync(input, { maxOutputLength }),
  'x-gzip': (input, maxOutputLength) => gunzipSync(input, { maxOutputLength }),
  // "deflate" is the zlib format, though some senders send raw deflate: try both.
  deflate: (input, maxOutputLength) => {
    try {
      return inflateSync(input, { maxOutputLength });
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw error;
      return inflateRawSync(input, { maxOutputLength });
    }
  },
  br: (input, maxOutputLength) => brotliDecompressSync(input, { maxOutputLength }),
};

/** The body's content codings, outermost last, without `identity`; header names are lower case in payload 2.0. */
function contentCodings(event: APIGatewayProxyEventV2): string[] {
  const header = event.headers?.['content-encoding'];
  if (typeof header !== 'string') return [];
  return header
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
}

/**
 * Reads the raw body, bounded: an oversized body is refused before it is decoded or parsed, and a
 * compressed one (gzip, deflate, br) is decoded up to the same bound (413 past it). An encoding we
 * cannot decode is 415 naming it, not a misleading "not JSON".
 */
export function readRequest(event: APIGatewayProxyEventV2, maxBodyBytes: number): Request {
  const method = event.requestContext?.http?.method ?? 'POST';
  if (method === 'GET' || method === 'HEAD') return { kind: 'health' };
  if (method !== 'POST') return { kind: 'refused', response: json(405, { message: 'method not allowed' }) };

  const raw = typeof event.body === 'string' ? event.body : '';
  const tooLarge = { kind: 'refused', response: json(413, { message: `body larger than ${maxBodyBytes} bytes` }) } as const;
  const codings = contentCodings(event);
  if (codings.length > 1 || (codings.length === 1 && !Object.prototype.hasOwnProperty.call(DECODERS, codings[0]))) {
    const message = `unsupported content-encoding "${codings.join(', ').slice(0, 64)}": send identity, gzip, deflate or br`;
    return { kind: 'refused', response: json(415, { message }) };
  }

  let bytes: Buffer | undefined;
  if (event.isBase64Encoded) {
    // base64 is 4 chars per 3 bytes: refuse on the encoded length before allocating the decoded copy.
    if (Math.floor((raw.length * 3) / 4) - 2 > maxBodyBytes) return tooLarge;
    bytes = Buffer.from(raw, 'base64');
    if (bytes.length > maxBodyBytes) return tooLarge;
  } else if (raw.length * 3 > maxBodyBytes && Buffer.byteLength(raw, 'utf8') > maxBodyBytes) {
    // A UTF-8 char is at most 3 bytes per UTF-16 unit, so short strings skip the exact count.
    return tooLarge;
  }
  if (codings.length === 0) return { kind: 'callbacks', body: bytes === undefined ? raw : bytes.toString('utf8') };

  try {
    return { kind: 'callbacks', body: DECODERS[codings[0]](bytes ?? Buffer.from(raw, 'utf8'), maxBodyBytes).toString('utf8') };
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') return tooLarge;
    return { kind: 'refused', response: json(400, { message: `body is not valid ${codings[0]} data` }) };
  }
}
