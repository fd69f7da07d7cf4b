/**
 * lambda/incidents/ack-token.ts: a fixed vector (cross-checked with Python's hmac module, an independent
 * HMAC-SHA256), the round trip, and every way a token fails.
 */
import { createHmac } from 'node:crypto';
import { ACK_LINK_TTL_MS, MAX_TOKEN_LENGTH, signAckToken, verifyAckToken, type AckClaims } from '../../../../lambda/incidents/ack-token';

const KEY = 'test-ack-key-0000000000000000000000';
const EXPIRES = 1_798_761_600; // 2027-01-01T00:00:00Z
const CLAIMS: AckClaims = {
  key: { accountId: 1234567, kind: 'low_balance', subject: '' },
  incidentId: '0123456789abcdef0123456789abcdef',
  expiresAt: EXPIRES,
};
const BEFORE = (EXPIRES - 60) * 1000;
/** python3: base64.urlsafe_b64encode(hmac.new(KEY, payload, hashlib.sha256).digest()).rstrip(b'=') */
const VECTOR = 'v1.1234567.low_balance.-.0123456789abcdef0123456789abcdef.1798761600.X6iHOc13bgsQ80_COaxSJ7qxVgAdNhlDPs15bwb4uwY';

/** A token for an arbitrary payload, correctly signed: to reach the checks behind the signature. */
const signed = (payload: string, key = KEY) => `${payload}.${createHmac('sha256', key).update(payload).digest('base64url')}`;

describe('signAckToken', () => {
  it('matches the fixed vector', () => {
    expect(signAckToken(CLAIMS, KEY)).toBe(VECTOR);
  });

  it('writes a SIP registration id as the subject, and the token is one URL path segment', () => {
    const token = signAckToken({ ...CLAIMS, key: { accountId: 1234567, kind: 'sip_registration', subject: '987' } }, KEY);
    expect(token.startsWith('v1.1234567.sip_registration.987.')).toBe(true);
    expect(token).toMatch(/^[A-Za-z0-9_.-]+$/);
    expect(encodeURIComponent(token)).toBe(token);
  });

  it('throws on an empty key or a part that is not URL-safe (a bug, not input)', () => {
    expect(() => signAckToken(CLAIMS, '')).toThrow(/empty/);
    expect(() => signAckToken({ ...CLAIMS, incidentId: 'a.b' }, KEY)).toThrow(/URL-safe/);
    expect(() => signAckToken({ ...CLAIMS, key: { ...CLAIMS.key, subject: '1/2' } }, KEY)).toThrow(/URL-safe/);
  });
});

describe('verifyAckToken', () => {
  it('gives back the claims of a genuine token before it expires', () => {
    expect(verifyAckToken(VECTOR, KEY, BEFORE)).toEqual({ ok: true, claims: CLAIMS });
    const sip = { ...CLAIMS, key: { accountId: 1, kind: 'sip_registration' as const, subject: '42' } };
    expect(verifyAckToken(signAckToken(sip, KEY), KEY, BEFORE)).toEqual({ ok: true, claims: sip });
  });

  it('says expired from the expiry second on (and a link is meant to live ACK_LINK_TTL_MS)', () => {
    expect(verifyAckToken(VECTOR, KEY, EXPIRES * 1000 - 1).ok).toBe(true);
    expect(verifyAckToken(VECTOR, KEY, EXPIRES * 1000)).toEqual({ ok: false, reason: 'expired' });
    expect(ACK_LINK_TTL_MS).toBe(7 * 86_400_000);
  });

  it('refuses a token signed with another key', () => {
    expect(verifyAckToken(signAckToken(CLAIMS, 'another-key'), KEY, BEFORE)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses every single-character alteration, at every position', () => {
    const accepted: string[] = [];
    for (let i = 0; i < VECTOR.length; i += 1) {
      for (const replacement of ['A', 'b', '0', '9', '-', '_', '.', '%', ' ']) {
        if (VECTOR[i] === replacement) continue;
        const altered = VECTOR.slice(0, i) + replacement + VECTOR.slice(i + 1);
        if (verifyAckToken(altered, KEY, BEFORE).ok) accepted.push(altered);
      }
    }
    expect(accepted).toEqual([]);
  });

  it('refuses truncated and extended tokens', () => {
    for (let cut = 0; cut < VECTOR.length; cut += 1) expect(verifyAckToken(VECTOR.slice(0, cut), KEY, BEFORE).ok).toBe(false);
    expect(verifyAckToken(`${VECTOR}A`, KEY, BEFORE).ok).toBe(false);
    expect(verifyAckToken(`x${VECTOR}`, KEY, BEFORE).ok).toBe(false);
  });

  it('says malformed for no signature part, an oversized token, a non-string or an empty key', () => {
    expect(verifyAckToken('no-dots-at-all', KEY, BEFORE)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyAckToken('A'.repeat(MAX_TOKEN_LENGTH + 1), KEY, BEFORE)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyAckToken(`${'A'.repeat(MAX_TOKEN_LENGTH)}.${VECTOR}`, KEY, BEFORE)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyAckToken(undefined as unknown as string, KEY, BEFORE)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyAckToken(VECTOR, '', BEFORE)).toEqual({ ok: false, reason: 'malformed' });
  });

  it.each([
    ['another version', 'v2.1234567.low_balance.-.0123456789abcdef0123456789abcdef.1798761600'],
    ['an extra part', 'v1.1234567.low_balance.-.0123456789abcdef0123456789abcdef.1798761600.x'],
    ['a missing part', 'v1.1234567.low_balance.-.0123456789abcdef0123456789abcdef'],
    ['a non-numeric account', 'v1.12x4567.low_balance.-.0123456789abcdef0123456789abcdef.1798761600'],
    ['an unknown kind', 'v1.1234567.high_balance.-.0123456789abcdef0123456789abcdef.1798761600'],
    ['a non-numeric subject', 'v1.1234567.sip_registration.abc.0123456789abcdef0123456789abcdef.1798761600'],
    ['a short incident id', 'v1.1234567.low_balance.-.0123456789abcdef.1798761600'],
    ['an upper-case incident id', 'v1.1234567.low_balance.-.0123456789ABCDEF0123456789abcdef.1798761600'],
    ['a non-numeric expiry', 'v1.1234567.low_balance.-.0123456789abcdef0123456789abcdef.soon'],
  ])('says malformed for a correctly signed payload with %s', (_, payload) => {
    expect(verifyAckToken(signed(payload), KEY, BEFORE)).toEqual({ ok: false, reason: 'malformed' });
  });
});
