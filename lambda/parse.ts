/**
 * Parses the envelope `{"callbacks":[...]}` and each item's envelope fields. Pure; trusts nothing.
 * Only shape is checked here: whether an item is genuine is signature.ts's job.
 */
import type { CallbackItem } from './model';

export type Envelope = { readonly ok: true; readonly items: readonly unknown[] } | { readonly ok: false; readonly reason: string };

export function parseEnvelope(body: string): Envelope {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'body is not JSON' };
  }
  if (!isRecord(value)) return { ok: false, reason: 'body is not a JSON object' };
  const callbacks = value.callbacks;
  if (!Array.isArray(callbacks)) return { ok: false, reason: '"callbacks" is not an array' };
  if (callbacks.length === 0) return { ok: false, reason: '"callbacks" is empty' };
  return { ok: true, items: callbacks };
}

export type ParsedItem =
  | { readonly ok: true; readonly item: CallbackItem }
  /** `fields` names what was missing or mistyped (names only: values are never echoed). */
  | { readonly ok: false; readonly fields: readonly string[]; readonly callbackId?: number };

const MAX_TYPE_LENGTH = 100;
const MAX_HASH_LENGTH = 64;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Digits only, no sign, no leading zero: the one spelling whose digits are the number's own. */
const CANONICAL_DECIMAL = /^(?:0|[1-9][0-9]{0,15})$/;

/**
 * An id as a number, or undefined. Ids are decimal integers in the hash: a JSON number must be a safe
 * integer (anything JSON.parse could have rounded, 2^53 and up, is refused). A decimal string is accepted
 * only in canonical form (`"40213"`, not `"040213"`, `"+1"`, `" 1"` or `"1e3"`): its digits are exactly
 * the digits the hash covers, so accepting it weakens nothing. Voximplant's senders are known to send
 * numbers as strings at times (see docs/protocol.md).
 */
export function readId(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string' || !CANONICAL_DECIMAL.test(value)) return undefined;
  const parsed = Number(value);
  return Number.isSafeInteger(parsed) ? parsed : undefined;
}

/**
 * Reads an item's envelope fields. `signed: false` is for items parked after they were verified: their
 * hash was dropped, and the item gets an empty one (it is never checked again).
 */
export function parseItem(raw: unknown, { signed = true }: { readonly signed?: boolean } = {}): ParsedItem {
  if (!isRecord(raw)) return { ok: false, fields: ['item'] };
  const { type, hash } = raw;
  const callbackId = readId(raw.callback_id);
  const accountId = readId(raw.account_id);
  const bad: string[] = [];
  if (callbackId === undefined) bad.push('callback_id');
  if (accountId === undefined) bad.push('account_id');
  if (typeof type !== 'string' || type.length === 0 || type.length > MAX_TYPE_LENGTH) bad.push('type');
  if (signed && (typeof hash !== 'string' || hash.length > MAX_HASH_LENGTH)) bad.push('hash');
  if (bad.length > 0) return { ok: false, fields: bad, ...(callbackId !== undefined ? { callbackId } : {}) };
  return {
    ok: true,
    item: { callbackId: callbackId!, accountId: accountId!, type: type as string, hash: signed ? (hash as string) : '', fields: raw },
  };
}

/**
 * A type name safe for a log line, a metric, an alert text and the `callback_type` message attribute:
 * the sender controls it and it is not signed (a lone surrogate there makes the SDK throw).
 */
export function safeTypeName(type: unknown): string {
  if (typeof type !== 'string') return 'unnamed';
  const safe = type.slice(0, 64).replace(/[^A-Za-z0-9_]/gu, '_');
  return safe === '' ? 'unnamed' : safe;
}
