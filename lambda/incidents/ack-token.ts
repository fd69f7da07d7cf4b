/**
 * The acknowledge link's token: which incident opening it acknowledges, until when, and an HMAC-SHA256 over
 * both with the stack's acknowledge key (SSM SecureString `<prefix>/ack-key`, config.ts parameterNames).
 * Pure: no AWS, no clock (`now` is an argument). Every part is URL-safe, so the token is one path segment:
 *
 *   v1.<account_id>.<kind>.<subject or "-">.<incidentId>.<expires, epoch seconds>.<signature, base64url>
 *
 * The signature is compared in constant time; what it covers is parsed only after it matched. Single use is
 * not the token's business: the incident's status is (lifecycle.ts acknowledge: an acknowledged incident
 * answers 'already-acknowledged').
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { INCIDENT_KINDS, type IncidentKey } from './model';

const VERSION = 'v1';
/** HMAC-SHA256 is 32 bytes: 43 base64url characters. */
const SIGNATURE_LENGTH = 43;
/** Bounds what is hashed at all: a real token is about 120 characters. */
export const MAX_TOKEN_LENGTH = 256;
/** How long a link works (issue 15: bound and expiring); an incident still open after that is reminded with a new link. */
export const ACK_LINK_TTL_MS = 7 * 86_400_000;

export interface AckClaims {
  readonly key: IncidentKey;
  readonly incidentId: string;
  /** Epoch seconds. */
  readonly expiresAt: number;
}

export type AckTokenCheck =
  { readonly ok: true; readonly claims: AckClaims } | { readonly ok: false; readonly reason: 'malformed' | 'bad_signature' | 'expired' };

const signature = (payload: string, key: string): string => createHmac('sha256', key).update(payload).digest('base64url');

/** The token for `claims`. Throws when the key is empty or a part is not URL-safe (a bug, not input). */
export function signAckToken(claims: AckClaims, key: string): string {
  if (key.length === 0) throw new Error('the acknowledge key is empty');
  const { accountId, kind, subject } = claims.key;
  const parts = [VERSION, String(accountId), kind, subject === '' ? '-' : subject, claims.incidentId, String(claims.expiresAt)];
  if (!parts.every((part) => /^[A-Za-z0-9_-]+$/.test(part))) throw new Error('an acknowledge token part is not URL-safe');
  const payload = parts.join('.');
  return `${payload}.${signature(payload, key)}`;
}

/**
 * The acknowledge link of `incident`'s opening: `<base>/ack/<token>` on the stack's HTTP API (GET shows a page, POST
 * acknowledges), valid ACK_LINK_TTL_MS from `now` (epoch ms). `baseUrl` with or without a trailing slash (the API
 * endpoint, or the stage URL).
 */
export function acknowledgeUrl(
  incident: { readonly key: IncidentKey; readonly incidentId: string },
  baseUrl: string,
  key: string,
  now: number,
): string {
  const expiresAt = Math.floor((now + ACK_LINK_TTL_MS) / 1000);
  return `${baseUrl.replace(/\/+$/, '')}/ack/${signAckToken({ key: incident.key, incidentId: incident.incidentId, expiresAt }, key)}`;
}

/** Checks `token` (untrusted) against `key` at `now` (epoch ms). Never throws. */
export function verifyAckToken(token: string, key: string, now: number): AckTokenCheck {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || key.length === 0) return { ok: false, reason: 'malformed' };
  const cut = token.lastIndexOf('.');
  if (cut < 0) return { ok: false, reason: 'malformed' };
  const payload = token.slice(0, cut);
  const given = Buffer.from(token.slice(cut + 1));
  const expected = Buffer.from(signature(payload, key));
  if (given.length !== SIGNATURE_LENGTH || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad_signature' };
  const [version, account, kind, subject, incidentId, expires, ...extra] = payload.split('.');
  const accountId = Number(account);
  const expiresAt = Number(expires);
  const fine =
    version === VERSION &&
    extra.length === 0 &&
    /^\d{1,15}$/.test(account ?? '') &&
    (INCIDENT_KINDS as readonly string[]).includes(kind) &&
    /^(-|\d{1,20})$/.test(subject ?? '') &&
    /^[0-9a-f]{32}$/.test(incidentId ?? '') &&
    /^\d{1,12}$/.test(expires ?? '');
  if (!fine) return { ok: false, reason: 'malformed' };
  if (expiresAt * 1000 <= now) return { ok: false, reason: 'expired' };
  return {
    ok: true,
    claims: { key: { accountId, kind: kind as IncidentKey['kind'], subject: subject === '-' ? '' : subject }, incidentId, expiresAt },
  };
}
