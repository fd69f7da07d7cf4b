/**
 * Service-account authentication for the Voximplant Management API: the credentials JSON the control panel
 * issues (Service accounts > Generate key), and the RS256 JWT signed from it, with node:crypto only.
 *
 * Sources:
 * - The credentials file: `{account_email, account_id, key_id, private_key}` (VoximplantApiClientKey in
 *   voximplant/apiclient-nodejs src/index.ts; KeyPairResult in voximplant/apiclient-go jwt/jwt.go).
 * - The token: RS256, header `kid` = key_id, claims `iss` = account_id (a JSON number, as every official client
 *   sends it), `iat` and `exp` in Unix seconds; exp "up to iat+3600 seconds"
 *   (https://voximplant.com/docs/guides/management-api/authorization). The Node client signs with
 *   iat = now, exp = now + 64 (apiclient-nodejs src/index.ts, generateAuthHeader); we do the same.
 * - Sent as `Authorization: Bearer <token>` (all three official clients).
 */
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';

/** Token lifetime, seconds: the official Node client's (iat + 64). */
export const JWT_LIFETIME_SECONDS = 64;
/** The documented maximum of exp - iat, seconds. */
export const JWT_MAX_LIFETIME_SECONDS = 3600;

export interface ServiceAccountCredentials {
  /** Canonical decimal string, as the rest of the project holds account ids. */
  readonly accountId: string;
  readonly keyId: string;
  /** Parsed once; an RSA private key. */
  readonly privateKey: KeyObject;
}

/** The credentials JSON is not the shape the control panel issues. The message never quotes key material. */
export class ServiceAccountCredentialsError extends Error {
  constructor(message: string) {
    super(`Service-account credentials: ${message}`);
    this.name = 'ServiceAccountCredentialsError';
  }
}

/** A positive integer account id, from a JSON number or a decimal string, as a canonical decimal string. */
function accountIdOf(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return String(value);
  if (typeof value === 'string' && /^[1-9][0-9]{0,15}$/.test(value) && Number.isSafeInteger(Number(value))) return value;
  return undefined;
}

/**
 * Parses the credentials JSON (a SecureString's value). Throws ServiceAccountCredentialsError when it is not
 * JSON, lacks account_id / key_id / private_key, or the key is not an RSA private key in PEM.
 */
export function parseServiceAccountCredentials(json: string): ServiceAccountCredentials {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new ServiceAccountCredentialsError('not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ServiceAccountCredentialsError('not a JSON object');
  const fields = parsed as Record<string, unknown>;
  const accountId = accountIdOf(fields.account_id);
  if (accountId === undefined) throw new ServiceAccountCredentialsError('account_id must be a positive integer');
  const keyId = fields.key_id;
  if (typeof keyId !== 'string' || keyId.length === 0 || keyId.length > 256)
    throw new ServiceAccountCredentialsError('key_id must be a non-empty string');
  if (typeof fields.private_key !== 'string') throw new ServiceAccountCredentialsError('private_key must be a PEM string');
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: fields.private_key, format: 'pem' });
  } catch {
    throw new ServiceAccountCredentialsError('private_key is not a PEM private key');
  }
  if (privateKey.asymmetricKeyType !== 'rsa')
    throw new ServiceAccountCredentialsError('private_key must be an RSA key (the token is RS256)');
  return { accountId, keyId, privateKey };
}

function base64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

/**
 * The signed token, `<header>.<payload>.<signature>` (RFC 7519), for `Authorization: Bearer`.
 * `nowSeconds` is Unix time in whole seconds; `lifetimeSeconds` is 1..3600 (default 64).
 */
export function signServiceAccountJwt(
  credentials: ServiceAccountCredentials,
  nowSeconds: number,
  lifetimeSeconds: number = JWT_LIFETIME_SECONDS,
): string {
  if (!Number.isInteger(lifetimeSeconds) || lifetimeSeconds < 1 || lifetimeSeconds > JWT_MAX_LIFETIME_SECONDS) {
    throw new RangeError(`JWT lifetime must be 1..${JWT_MAX_LIFETIME_SECONDS} seconds, got ${lifetimeSeconds}`);
  }
  const iat = Math.floor(nowSeconds);
  const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: credentials.keyId }));
  const payload = base64url(JSON.stringify({ iss: Number(credentials.accountId), iat, exp: iat + lifetimeSeconds }));
  const signingInput = `${header}.${payload}`;
  // RS256 = RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518 section 3.3), node:crypto's default padding for RSA keys.
  const signature = sign('sha256', Buffer.from(signingInput), credentials.privateKey);
  return `${signingInput}.${base64url(signature)}`;
}
