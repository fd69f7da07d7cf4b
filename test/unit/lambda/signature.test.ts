import fc from 'fast-check';
import type { CallbackItem, Secrets } from '../../../lambda/model';
import { sign, verify } from '../../../lambda/signature';
import { SECRETS, VECTOR } from '../../../local/fixtures';

function item(overrides: Partial<CallbackItem> = {}): CallbackItem {
  return {
    callbackId: VECTOR.callbackId,
    accountId: Number(VECTOR.accountId),
    type: 'min_balance',
    hash: VECTOR.hash,
    fields: {},
    ...overrides,
  };
}

describe('sign', () => {
  it('reproduces the reference test vector', () => {
    expect(sign(VECTOR.salt, VECTOR.accountId, VECTOR.apiKey, VECTOR.callbackId)).toBe(VECTOR.hash);
  });

  it('writes numbers in decimal, the same as their string form', () => {
    expect(sign('s', 1234567, 'k', 987654)).toBe(sign('s', '1234567', 'k', '987654'));
  });
});

describe('verify', () => {
  it('accepts the test vector', () => {
    expect(verify(item(), SECRETS)).toEqual({ ok: true });
  });

  it.each([
    ['one flipped hex digit', VECTOR.hash.replace(/^5/, '6')],
    ['upper case', VECTOR.hash.toUpperCase()],
    ['too short', VECTOR.hash.slice(0, 31)],
    ['too long', `${VECTOR.hash}0`],
    ['empty', ''],
    ['multi-byte chars of the right length', 'é'.repeat(16)],
  ])('rejects a hash that is %s', (_name, hash) => {
    expect(verify(item({ hash }), SECRETS)).toEqual({ ok: false, reason: 'bad_hash' });
  });

  it('rejects another account even with a hash valid for it', () => {
    const other = 7654321;
    const hash = sign(VECTOR.salt, other, VECTOR.apiKey, VECTOR.callbackId);
    expect(verify(item({ accountId: other, hash }), SECRETS)).toEqual({ ok: false, reason: 'wrong_account' });
  });

  it('rejects a hash of another callback id (ids are not interchangeable)', () => {
    expect(verify(item({ callbackId: VECTOR.callbackId + 1 }), SECRETS)).toEqual({ ok: false, reason: 'bad_hash' });
  });

  it('accepts callbacks signed with the previous credentials during a rotation', () => {
    const rotated: Secrets = {
      accountId: VECTOR.accountId,
      credentials: [
        { salt: 'newSalt', apiKey: 'new-key' },
        { salt: VECTOR.salt, apiKey: VECTOR.apiKey },
      ],
    };
    expect(verify(item(), rotated)).toEqual({ ok: true });
    expect(verify(item(), { ...rotated, credentials: rotated.credentials.slice(0, 1) })).toEqual({
      ok: false,
      reason: 'bad_hash',
    });
  });

  it('property: a hash verifies exactly when it was made with the configured secrets', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 40 }),
        fc.string({ minLength: 1 }),
        fc.nat(),
        fc.nat(),
        fc.string(),
        (salt, apiKey, accountId, callbackId, otherKey) => {
          const secrets: Secrets = { accountId: String(accountId), credentials: [{ salt, apiKey }] };
          const genuine = item({ accountId, callbackId, hash: sign(salt, accountId, apiKey, callbackId) });
          expect(verify(genuine, secrets).ok).toBe(true);
          const forged = item({ accountId, callbackId, hash: sign(salt, accountId, otherKey, callbackId) });
          expect(verify(forged, secrets).ok).toBe(otherKey === apiKey);
        },
      ),
    );
  });
});
