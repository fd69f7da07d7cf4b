/**
 * How a parked request (ports.ts ParkedRequest) travels as an SQS message: the body, base64-encoded only
 * when SQS would refuse its characters, and three String message attributes. Both directions live here,
 * beside the adapter that sends (sqs-retry-queue.ts); the retry-queue consumer (queue.ts) decodes with it.
 * Pure: no SDK runtime code (the SQS record is a type only), so the core may import it.
 */
import type { SQSRecord } from 'aws-lambda';
import type { ParkedRequest } from '../ports';

/** SQS message attributes of a parked request. */
export const PARKED_ATTRIBUTES = { receivedAt: 'receivedAt', encoding: 'bodyEncoding', verified: 'verified' } as const;

/**
 * Characters SQS accepts in a message body (AWS SQS API Reference, "SendMessage": #x9 | #xA | #xD |
 * #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF); anything else travels base64-encoded.
 */
const SQS_UNSAFE = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** A parked request as an SQS message body and its String attributes (name → value). */
export function encodeParked(request: ParkedRequest): { body: string; attributes: Record<string, string> } {
  const base64 = SQS_UNSAFE.test(request.body);
  return {
    body: base64 ? Buffer.from(request.body, 'utf8').toString('base64') : request.body,
    attributes: {
      [PARKED_ATTRIBUTES.receivedAt]: String(request.receivedAt),
      [PARKED_ATTRIBUTES.encoding]: base64 ? 'base64' : 'utf8',
      [PARKED_ATTRIBUTES.verified]: String(request.verified),
    },
  };
}

/**
 * The parked request an SQS record holds. Without a usable receivedAt attribute, the message's
 * SentTimestamp (epoch ms) stands in; without the verified attribute, the request counts as unverified.
 */
export function decodeParked(record: SQSRecord): ParkedRequest {
  const attributes = record.messageAttributes ?? {};
  const base64 = attributes[PARKED_ATTRIBUTES.encoding]?.stringValue === 'base64';
  const receivedAt = Number(attributes[PARKED_ATTRIBUTES.receivedAt]?.stringValue);
  return {
    body: base64 ? Buffer.from(record.body, 'base64').toString('utf8') : record.body,
    receivedAt: Number.isFinite(receivedAt) ? receivedAt : Number(record.attributes.SentTimestamp),
    // Messages parked before this attribute existed hold raw, signed bodies: verify them again.
    verified: attributes[PARKED_ATTRIBUTES.verified]?.stringValue === 'true',
  };
}
