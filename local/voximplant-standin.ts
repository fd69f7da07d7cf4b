/**
 * A stand-in for Voximplant's HTTP Management API on loopback (node:http, 127.0.0.1, a free port), written from
 * the documented request and answer shapes (docs/voximplant-api.md), so the client and the tools run against
 * real HTTP with no test-only code path.
 *
 * Requests: `GET` or `POST` to `/platform_api/<Method>`, or to `/platform_api` with `cmd=<Method>`; parameters
 * from the query string and from an `application/x-www-form-urlencoded` body (the body wins). Other body
 * encodings (the official Node client's multipart) are answered with error 101: our client never sends them.
 * Authentication: `account_id` + `api_key` parameters, or `Authorization: Bearer <JWT>` checked against the
 * public keys given to the stand-in: RS256 signature, a known `kid`, `iss` = the account id (a JSON number),
 * `exp` in the future, `exp - iat` at most 3600 s, `iat` not more than a minute ahead. Every refusal is error
 * 100 "Authorization failed" (which code the real API picks for each JWT defect is not documented).
 * Answers: `{"result": ...}` on success (GetAccountInfo adds `api_address`, and `api_key` when the caller
 * authenticated with it, as AccountInfoType documents), `{"error": {"code", "msg"}}` with HTTP 200 on failure.
 *
 * Faults, set with `fault` and applied to every request until cleared, or only to one method's requests
 * when `faultCommand` names it (the request is still recorded):
 * - `error`: the error envelope with any code (and HTTP status, default 200);
 * - `answer`: any raw answer: HTTP 5xx, 429, a redirect, malformed JSON, an oversized body;
 * - `slow`: the request is read, the answer held until release() (headers late);
 * - `stall`: headers and the first bytes of the answer are sent, the rest never (a stalled body).
 *
 * Every request is recorded with `api_key` and the bearer token redacted, so tests can assert the shape.
 */
import { createPublicKey, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { API_ERROR_CODES } from '../lambda/voximplant/errors';
import { JWT_MAX_LIFETIME_SECONDS } from '../lambda/voximplant/jwt';

export interface StandinAccount {
  accountId: string;
  accountName: string;
  apiKey: string;
  balance: number;
  creditLimit: number;
  frozen: boolean;
  active: boolean;
  minBalanceToNotify: number;
  callbackUrl?: string;
  callbackSalt?: string;
  currency: string;
  languageCode: string;
}

export interface StandinServiceAccountKey {
  readonly keyId: string;
  readonly publicKey: KeyObject | string;
}

export type StandinFault =
  | { readonly kind: 'error'; readonly code: number; readonly msg: string; readonly status?: number }
  | { readonly kind: 'answer'; readonly status: number; readonly body: string; readonly headers?: Readonly<Record<string, string>> }
  | { readonly kind: 'slow' }
  | { readonly kind: 'stall' };

export interface RecordedRequest {
  readonly httpMethod: string;
  readonly path: string;
  /** Query parameters, `api_key` redacted. */
  readonly query: Readonly<Record<string, string>>;
  /** Form-body parameters, `api_key` redacted. */
  readonly form: Readonly<Record<string, string>>;
  readonly contentType?: string;
  /** `Bearer [redacted]` when a bearer token was sent. */
  readonly authorization?: string;
  /** The method asked for (from the path, or `cmd`). */
  readonly command?: string;
  /** The request target as received, `api_key`'s value redacted; `apiKeyInQuery` says whether it was there. */
  readonly url: string;
  readonly apiKeyInQuery: boolean;
}

export const STANDIN_ACCOUNT: Readonly<StandinAccount> = {
  accountId: '4242',
  accountName: 'standin-account',
  apiKey: 'standin-api-key-0f1e2d3c4b5a69788796a5b4c3d2e1f0',
  balance: 12.5,
  creditLimit: 0,
  frozen: false,
  active: true,
  minBalanceToNotify: 10,
  currency: 'USD',
  languageCode: 'en',
};

const REDACTED = '[redacted]';
const MAX_REQUEST_BYTES = 64 * 1024;
/** How far ahead of our clock a token's iat may be (clock skew). */
const IAT_SKEW_SECONDS = 60;
/** From the "less than 40" of error 399 (apiclient-nodejs src/Enums.ts). */
const SALT_LIMIT = 40;
const COMMANDS = new Set(['GetAccountInfo', 'SetAccountInfo']);

type Answer = { status: number; body: string; headers?: Readonly<Record<string, string>> };

const json = (status: number, value: unknown): Answer => ({ status, body: JSON.stringify(value) });
const apiError = (code: number, msg: string, status = 200): Answer => json(status, { error: { code, msg } });

function redactParams(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of params) out[name] = name === 'api_key' ? REDACTED : value;
  return out;
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_REQUEST_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_REQUEST_BYTES ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function decodeSegment(segment: string): unknown {
  if (!/^[A-Za-z0-9_-]+$/.test(segment)) return undefined;
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Whether a bearer token is a service-account JWT the account accepts (the checks in the module comment).
 * `nowSeconds` is Unix time.
 */
export function acceptsServiceAccountJwt(
  token: string,
  keys: ReadonlyMap<string, KeyObject>,
  accountId: string,
  nowSeconds: number,
): boolean {
  const parts = token.split('.');
  if (parts.length !== 3) return false;
  const [headerPart, payloadPart, signaturePart] = parts;
  const header = decodeSegment(headerPart);
  const payload = decodeSegment(payloadPart);
  if (typeof header !== 'object' || header === null || typeof payload !== 'object' || payload === null) return false;
  const { alg, kid } = header as Record<string, unknown>;
  if (alg !== 'RS256' || typeof kid !== 'string') return false;
  const key = keys.get(kid);
  if (!key || !/^[A-Za-z0-9_-]+$/.test(signaturePart)) return false;
  if (!verify('sha256', Buffer.from(`${headerPart}.${payloadPart}`), key, Buffer.from(signaturePart, 'base64url'))) return false;
  const { iss, iat, exp } = payload as Record<string, unknown>;
  if (typeof iss !== 'number' || String(iss) !== accountId) return false;
  if (!Number.isInteger(iat) || !Number.isInteger(exp)) return false;
  const issued = iat as number;
  const expires = exp as number;
  return (
    expires > nowSeconds && issued <= nowSeconds + IAT_SKEW_SECONDS && expires > issued && expires - issued <= JWT_MAX_LIFETIME_SECONDS
  );
}

export class VoximplantStandin {
  /** The account's state; tests may change it between calls (a top-up, a freeze). */
  readonly account: StandinAccount;
  readonly requests: RecordedRequest[] = [];
  fault?: StandinFault;
  /** When set, `fault` applies only to requests for this method (`SetAccountInfo`): the others are answered normally. */
  faultCommand?: string;
  private readonly keys: Map<string, KeyObject>;
  private readonly held: Array<() => void> = [];

  private constructor(
    private readonly server: Server,
    /** The base URL, with the trailing slash, for ManagementApiOptions.baseUrl / VOXIMPLANT_API_URL. */
    readonly url: string,
    account: StandinAccount,
    keys: readonly StandinServiceAccountKey[],
  ) {
    this.account = account;
    this.keys = new Map(
      keys.map(({ keyId, publicKey }) => [keyId, typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey]),
    );
  }

  static async start(
    options: { account?: Partial<StandinAccount>; serviceAccountKeys?: readonly StandinServiceAccountKey[] } = {},
  ): Promise<VoximplantStandin> {
    const account: StandinAccount = { ...STANDIN_ACCOUNT, ...options.account };
    // The server's callback needs the stand-in, which needs the server's port: a holder breaks the circle.
    const holder: { standin?: VoximplantStandin } = {};
    const server = createServer((req, res) => {
      holder.standin!.handle(req, res).catch(() => res.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    holder.standin = new VoximplantStandin(server, `http://127.0.0.1:${port}/platform_api/`, account, options.serviceAccountKeys ?? []);
    return holder.standin;
  }

  /** Answers every request held by the `slow` fault (normally, as if the fault had not been set). */
  release(): void {
    for (const answer of this.held.splice(0)) answer();
  }

  async close(): Promise<void> {
    this.held.splice(0);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = new URL(req.url ?? '/', 'http://standin');
    const body = await readBody(req);
    const contentType = req.headers['content-type']?.split(';')[0].trim().toLowerCase();
    const form =
      contentType === 'application/x-www-form-urlencoded' && body ? new URLSearchParams(body.toString('utf8')) : new URLSearchParams();
    const params = new URLSearchParams(target.searchParams);
    for (const [name, value] of form) params.set(name, value);
    const pathCommand = target.pathname.replace(/^\/platform_api\/?/, '').replace(/\/+$/, '');
    const command = pathCommand || params.get('cmd') || undefined;
    const apiKeyInQuery = target.searchParams.has('api_key');
    const redactedTarget = new URL(target);
    if (apiKeyInQuery) redactedTarget.searchParams.set('api_key', REDACTED);
    const authorization = req.headers.authorization;
    this.requests.push({
      httpMethod: req.method ?? '',
      path: target.pathname,
      query: redactParams(target.searchParams),
      form: redactParams(form),
      contentType,
      authorization: authorization === undefined ? undefined : authorization.startsWith('Bearer ') ? `Bearer ${REDACTED}` : REDACTED,
      command,
      url: `${redactedTarget.pathname}${redactedTarget.search}`,
      apiKeyInQuery,
    });

    const respond = (answer: Answer) => {
      if (res.destroyed) return;
      res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8', ...answer.headers });
      res.end(answer.body);
    };
    const compute = (): Answer => {
      if (!target.pathname.startsWith('/platform_api'))
        return { status: 404, body: '<html>Not Found</html>', headers: { 'content-type': 'text/html' } };
      if (req.method !== 'GET' && req.method !== 'POST') return { status: 405, body: '', headers: { 'content-type': 'text/plain' } };
      if (body === undefined) return { status: 413, body: '', headers: { 'content-type': 'text/plain' } };
      if (body.length > 0 && contentType !== 'application/x-www-form-urlencoded')
        return apiError(API_ERROR_CODES.invalidArguments, 'Invalid arguments');
      if (!command) return apiError(102, "Missing 'cmd' parameter");
      if (!COMMANDS.has(command)) return apiError(103, 'Unknown command');
      if (!this.authenticated(authorization, params)) return apiError(API_ERROR_CODES.authorizationFailed, 'Authorization failed');
      return command === 'GetAccountInfo' ? this.getAccountInfo(authorization === undefined) : this.setAccountInfo(params);
    };

    const fault = this.faultCommand === undefined || this.faultCommand === command ? this.fault : undefined;
    if (fault?.kind === 'error') return respond(apiError(fault.code, fault.msg, fault.status));
    if (fault?.kind === 'answer') return respond(fault);
    if (fault?.kind === 'slow') {
      this.held.push(() => respond(compute()));
      return;
    }
    if (fault?.kind === 'stall') {
      const answer = compute();
      res.writeHead(answer.status, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': String(Buffer.byteLength(answer.body)),
      });
      res.write(answer.body.slice(0, Math.floor(answer.body.length / 2)));
      return;
    }
    respond(compute());
  }

  private authenticated(authorization: string | undefined, params: URLSearchParams): boolean {
    if (authorization !== undefined) {
      const match = /^Bearer (\S+)$/.exec(authorization);
      return match !== null && acceptsServiceAccountJwt(match[1], this.keys, this.account.accountId, Math.floor(Date.now() / 1000));
    }
    const apiKey = params.get('api_key');
    return params.get('account_id') === this.account.accountId && apiKey !== null && sameSecret(apiKey, this.account.apiKey);
  }

  private getAccountInfo(withApiKey: boolean): Answer {
    const a = this.account;
    const result: Record<string, unknown> = {
      account_id: Number(a.accountId),
      account_name: a.accountName,
      account_email: `${a.accountName}@example.com`,
      active: a.active,
      frozen: a.frozen,
      balance: a.balance,
      credit_limit: a.creditLimit,
      currency: a.currency,
      language_code: a.languageCode,
      min_balance_to_notify: a.minBalanceToNotify,
      created: '2024-01-01 00:00:00',
    };
    if (a.callbackUrl !== undefined) result.callback_url = a.callbackUrl;
    if (a.callbackSalt !== undefined) result.callback_salt = a.callbackSalt;
    if (withApiKey) result.api_key = a.apiKey;
    return json(200, { result, api_address: this.url });
  }

  private setAccountInfo(params: URLSearchParams): Answer {
    const url = params.get('callback_url');
    const salt = params.get('callback_salt');
    const minBalance = params.get('min_balance_to_notify');
    if (url !== null && url !== '') {
      let parsed: URL | undefined;
      try {
        parsed = new URL(url);
      } catch {
        parsed = undefined;
      }
      if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
        return apiError(API_ERROR_CODES.invalidCallbackUrl, "The 'callback_url' parameter is invalid");
      }
    }
    if (salt !== null && salt.length >= SALT_LIMIT) {
      return apiError(API_ERROR_CODES.callbackSaltInvalid, "The 'callback_salt' parameter length must be less than 40");
    }
    if (minBalance !== null && !/^\d{1,9}(\.\d{1,4})?$/.test(minBalance))
      return apiError(API_ERROR_CODES.invalidArguments, 'Invalid arguments');
    if (url !== null) this.account.callbackUrl = url === '' ? undefined : url;
    if (salt !== null) this.account.callbackSalt = salt === '' ? undefined : salt;
    if (minBalance !== null) this.account.minBalanceToNotify = Number(minBalance);
    return json(200, { result: 1 });
  }
}
