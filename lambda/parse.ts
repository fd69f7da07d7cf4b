/**
 * Parses the envelope `{"callbacks":[...]}` and each item's envelope fields. Pure; trusts nothing.
 * Only shape is checked here: whether an item is genuine is signature.ts's job.
 */
import type { CallbackItem } from './callback';

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

/** Ids are decimal integers in the hash: anything JSON.parse could have rounded (2^53 and up) is refused. */
function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

export function parseItem(raw: unknown): ParsedItem {
  if (!isRecord(raw)) return { ok: false, fields: ['item'] };
  const { callback_id: callbackId, account_id: accountId, type, hash } = raw;
  const bad: string[] = [];
  if (!isId(callbackId)) bad.push('callback_id');
  if (!isId(accountId)) bad.push('account_id');
  if (typeof type !== 'string' || type.length === 0 || type.length > MAX_TYPE_LENGTH) bad.push('type');
  if (typeof hash !== 'string' || hash.length > MAX_HASH_LENGTH) bad.push('hash');
  if (bad.length > 0) return { ok: false, fields: bad, ...(isId(callbackId) ? { callbackId } : {}) };
  return {
    ok: true,
    item: { callbackId: callbackId as number, accountId: accountId as number, type: type as string, hash: hash as string, fields: raw },
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
