/**
 * Voximplant's callback hash: md5(salt + account_id + api_key + callback_id), lowercase hex.
 * One module signs (tests, the test-callback sender) and verifies (the receiver), so they cannot drift.
 */
import { hash, timingSafeEqual } from 'node:crypto';
import type { CallbackItem, Secrets } from './model';

/** `crypto.hash` is the one-shot form: about 2.5x faster than createHash() for a short input (0.8 vs 2.0 µs here). */
export function sign(salt: string, accountId: number | string, apiKey: string, callbackId: number | string): string {
  return hash('md5', `${salt}${accountId}${apiKey}${callbackId}`, 'hex');
}

/** Why an item did not verify. Logged, never returned to the sender. */
export type VerificationFailure = 'wrong_account' | 'bad_hash';

export type Verification = { readonly ok: true } | { readonly ok: false; readonly reason: VerificationFailure };

const HASH_LENGTH = 32;

/**
 * Checks one item against every accepted salt/API-key pair. Every pair is compared, in constant time,
 * whatever the outcome of the others, so the time taken says nothing about which part was wrong.
 */
export function verify(item: CallbackItem, secrets: Secrets): Verification {
  if (String(item.accountId) !== secrets.accountId) return { ok: false, reason: 'wrong_account' };
  const received = Buffer.from(item.hash, 'utf8');
  if (received.length !== HASH_LENGTH) return { ok: false, reason: 'bad_hash' };
  let matched = false;
  for (const { salt, apiKey } of secrets.credentials) {
    const expected = Buffer.from(sign(salt, item.accountId, apiKey, item.callbackId), 'utf8');
    matched = timingSafeEqual(expected, received) || matched;
  }
  return matched ? { ok: true } : { ok: false, reason: 'bad_hash' };
}
