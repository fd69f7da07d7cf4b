/**
 * Service-account credentials and the RS256 token (lambda/voximplant/jwt.ts): pure functions, checked with a
 * generated key pair and crypto.verify, no mocks.
 */
import { generateKeyPairSync, verify } from 'node:crypto';
import {
  JWT_LIFETIME_SECONDS,
  parseServiceAccountCredentials,
  ServiceAccountCredentialsError,
  signServiceAccountJwt,
} from '../../../../lambda/voximplant/jwt';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privatePem = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

/** The shape the control panel issues (Service accounts > Generate key). */
const consoleJson = (overrides: Record<string, unknown> = {}) =>
  JSON.stringify({ account_email: 'owner@example.com', account_id: 4242, key_id: 'a1b2c3d4-key', private_key: privatePem, ...overrides });

function decode(segment: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
}

describe('parseServiceAccountCredentials', () => {
  test('reads the console JSON: account id as a canonical string, key id, the RSA key', () => {
    const credentials = parseServiceAccountCredentials(consoleJson());
    expect(credentials.accountId).toBe('4242');
    expect(credentials.keyId).toBe('a1b2c3d4-key');
    expect(credentials.privateKey.asymmetricKeyType).toBe('rsa');
    expect(credentials.privateKey.type).toBe('private');
  });

  test('accepts the account id as a decimal string too', () => {
    expect(parseServiceAccountCredentials(consoleJson({ account_id: '4242' })).accountId).toBe('4242');
  });

  test('accepts a PKCS#1 PEM key', () => {
    const pkcs1 = rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    expect(parseServiceAccountCredentials(consoleJson({ private_key: pkcs1 })).privateKey.asymmetricKeyType).toBe('rsa');
  });

  test.each([
    ['not JSON', 'account_id=4242'],
    ['a JSON array', '[]'],
    ['no account_id', consoleJson({ account_id: undefined })],
    ['a zero account_id', consoleJson({ account_id: 0 })],
    ['a fractional account_id', consoleJson({ account_id: 42.5 })],
    ['an account_id with a leading zero', consoleJson({ account_id: '04242' })],
    ['no key_id', consoleJson({ key_id: undefined })],
    ['an empty key_id', consoleJson({ key_id: '' })],
    ['no private_key', consoleJson({ private_key: undefined })],
    ['a private_key that is not PEM', consoleJson({ private_key: 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC' })],
    [
      'an Ed25519 key (the token is RS256)',
      consoleJson({ private_key: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() }),
    ],
  ])('refuses %s, without quoting the key', (_name, json) => {
    let thrown: unknown;
    try {
      parseServiceAccountCredentials(json);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ServiceAccountCredentialsError);
    const message = String(thrown);
    expect(message).not.toContain('PRIVATE KEY');
    expect(message).not.toContain(privatePem.split('\n')[1]);
  });
});

describe('signServiceAccountJwt', () => {
  const credentials = parseServiceAccountCredentials(consoleJson());
  const now = 1_764_500_000;

  test('header: RS256 with the key id as kid', () => {
    const [header] = signServiceAccountJwt(credentials, now).split('.');
    expect(decode(header)).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'a1b2c3d4-key' });
  });

  test('claims: iss is the account id as a number, iat now, exp iat + 64 (the Node client)', () => {
    const [, payload] = signServiceAccountJwt(credentials, now + 0.9).split('.');
    expect(decode(payload)).toEqual({ iss: 4242, iat: now, exp: now + JWT_LIFETIME_SECONDS });
    expect(JWT_LIFETIME_SECONDS).toBe(64);
  });

  test('the signature verifies with the public key (RSA-SHA256), and only with it', () => {
    const token = signServiceAccountJwt(credentials, now);
    const [header, payload, signature] = token.split('.');
    const input = Buffer.from(`${header}.${payload}`);
    const bytes = Buffer.from(signature, 'base64url');
    expect(verify('sha256', input, rsa.publicKey, bytes)).toBe(true);
    expect(verify('sha256', input, other.publicKey, bytes)).toBe(false);
    expect(verify('sha256', Buffer.from(`${header}.${payload}x`), rsa.publicKey, bytes)).toBe(false);
  });

  test('base64url without padding: three URL-safe segments', () => {
    const token = signServiceAccountJwt(credentials, now);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  });

  test('a lifetime within the documented 3600 s is honoured', () => {
    const [, payload] = signServiceAccountJwt(credentials, now, 3600).split('.');
    expect(decode(payload).exp).toBe(now + 3600);
  });

  test.each([0, 3601, 1.5])('refuses a lifetime of %s s', (lifetime) => {
    expect(() => signServiceAccountJwt(credentials, now, lifetime)).toThrow(RangeError);
  });
});
