/**
 * A small client for Voximplant's HTTP Management API: GetAccountInfo and SetAccountInfo, nothing else.
 * Construct one per container (outside the handler); every call makes one HTTP request, one try, within a
 * bounded wait, and either returns a checked answer or throws a typed error (errors.ts).
 *
 * The request (sources in docs/voximplant-api.md):
 * - `POST <base>/<Method>`, base `https://api.voximplant.com/platform_api/` (the Go client's endpoint and the
 *   method reference on docs.voximplant.ai: "POST https://api.voximplant.com/platform_api/GetAccountInfo");
 *   the Node and Python clients post to `/platform_api` with `cmd=<Method>` instead, which the API also accepts.
 * - Parameters form-encoded in the body (`application/x-www-form-urlencoded`, as the Python client sends them),
 *   never in the query string: the API also reads query parameters, but a URL ends up in access logs.
 * - Authentication by `account_id` + `api_key` parameters (in the body), or by a service-account JWT in
 *   `Authorization: Bearer` (jwt.ts).
 * - Success: `{"result": <AccountInfoType>, "api_address": "..."}` for GetAccountInfo, `{"result": 1}` for
 *   SetAccountInfo. Failure: `{"error": {"code", "msg"}}` (errors.ts).
 *
 * The answer is untrusted input: every field read is type-checked and bounded; a present field of the wrong
 * type makes the whole answer malformed (UnavailableError), so a decision is never taken on a guessed value.
 * `api_address` is returned, never followed: the credentials go only to the configured base URL. The API key
 * (and the JWT) never appear in a URL, an error message or a log line: this module logs nothing, and every
 * text quoted from an answer is redacted. GetAccountInfo answers with the account's `api_key` when called with
 * it (AccountInfoType docs); that field is never read.
 */
import { readBoundedBytes } from '../bounded-body';
import { ENV } from '../contract';
import {
  InvalidArgumentError,
  ManagementApiError,
  UnavailableError,
  errorForCode,
  errorForStatus,
  redact,
  type ManagementApiMethod,
} from './errors';
import { signServiceAccountJwt, type ServiceAccountCredentials } from './jwt';
import { SecretText } from './secret-text';

export const MANAGEMENT_API = {
  baseUrl: 'https://api.voximplant.com/platform_api/',
  /** One try within this wait on the request path (issue 14). */
  timeoutMs: 1500,
  /** A GetAccountInfo answer is a few KB at most (access_entries may list many method names): an estimate, not measured on the real API. */
  maxResponseBytes: 64 * 1024,
  /**
   * Longest callback_salt we send. The webhook guide says "up to 40 characters"
   * (https://voximplant.com/docs/guides/management-api/callbacks); error 399 says "length must be less than
   * 40" (apiclient-nodejs src/Enums.ts). We keep to the stricter reading.
   */
  callbackSaltMaxLength: 39,
  /** Longest URL or other free text we accept in an answer or send in a request. */
  maxTextLength: 2048,
} as const;

/** Loopback hosts, the only ones a base URL may reach over plain http (a local stand-in). */
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * A base URL checked and normalised (trailing slash). Throws when it is not https (http only to a loopback
 * host), or carries credentials, a query or a fragment: the API key travels to it.
 */
function checkedBaseUrl(raw: string): string {
  const name = ENV.voximplantApiUrl;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${name} is not a URL: ${JSON.stringify(raw)}`);
  }
  const secure = url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
  if (!secure) throw new Error(`${name} must be https (http only to a loopback host), got ${JSON.stringify(raw)}`);
  if (url.username || url.password || url.search || url.hash) throw new Error(`${name} must not carry credentials, a query or a fragment`);
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url.toString();
}

/** The base URL from `VOXIMPLANT_API_URL` (default the public host); throws as checkedBaseUrl. */
export function managementApiBaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  return checkedBaseUrl(env[ENV.voximplantApiUrl] || MANAGEMENT_API.baseUrl);
}

/** `account_id` + `api_key` (the key the callback hash uses), or a service account (jwt.ts). */
export type ManagementApiCredentials =
  { readonly accountId: string; readonly apiKey: string } | { readonly serviceAccount: ServiceAccountCredentials };

/** Called on every request, so a rotated key is used as soon as the provider returns it (e.g. SSM with a TTL cache). */
export type CredentialsProvider = () => Promise<ManagementApiCredentials>;

export interface ManagementApiOptions {
  /** Default: managementApiBaseUrl(). Checked the same way (https, or http to a loopback host). */
  readonly baseUrl?: string;
  /** The whole call's budget, milliseconds: credentials, connection, headers and body. Default 1500. */
  readonly timeoutMs?: number;
  /** Default 64 KiB. */
  readonly maxResponseBytes?: number;
  /** Epoch milliseconds: the JWT's iat and AccountInfo.readAt. Default Date.now. */
  readonly now?: () => number;
}

export interface CallOptions {
  /** Aborts the call early (combined with the client's own timeout); the call then throws UnavailableError. */
  readonly signal?: AbortSignal;
}

/**
 * The GetAccountInfo fields this project uses (AccountInfoType: apiclient-nodejs src/Structures.ts,
 * https://voximplant.com/docs/references/httpapi/accountinfotype). A field is undefined when the answer
 * does not carry it. Amounts are in `currency`.
 */
export interface AccountInfo {
  readonly accountId: string;
  /**
   * "The account's money". The client asks `return_live_balance=true` (the documented default), which we read
   * as making this the live balance (docs/voximplant-api.md, Request).
   */
  readonly balance?: number;
  /** Only if the answer carries it: no official client lists live_balance in AccountInfoType. */
  readonly liveBalance?: number;
  readonly creditLimit?: number;
  /** Blocked by Voximplant's admins. */
  readonly frozen?: boolean;
  readonly active?: boolean;
  /** The balance under which Voximplant sends min_balance. */
  readonly minBalanceToNotify?: number;
  /** Undefined when not set (absent, null or ""). */
  readonly callbackUrl?: string;
  /** Undefined when not set. Prints as [redacted]; compare with `equals()` (constant time). */
  readonly callbackSalt?: SecretText;
  readonly currency?: string;
  readonly languageCode?: string;
  /** The preferred address for Management API requests. Informational: never followed. */
  readonly apiAddress?: string;
  /** Epoch milliseconds when the answer was read. */
  readonly readAt: number;
}

/** What SetAccountInfo may change here. At least one field; the others are left as they are. */
export interface AccountInfoChanges {
  /** http(s) URL, at most 2048 characters. */
  readonly callbackUrl?: string;
  /** 1..39 printable ASCII characters (see MANAGEMENT_API.callbackSaltMaxLength). */
  readonly callbackSalt?: string;
  /** 0 or more, in the account's currency. */
  readonly minBalanceToNotify?: number;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeWithCause(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${error.name}: ${error.message}${cause}`;
}

/** A present field of the wrong type or size. */
class MalformedField extends Error {}

function optional<T>(result: Json, field: string, check: (value: unknown) => value is T): T | undefined {
  const value = result[field];
  if (value === undefined || value === null) return undefined;
  if (!check(value)) throw new MalformedField(field);
  return value;
}

// JSON numbers and booleans, not strings: the Go client decodes these fields as float64 and *bool
// (apiclient-go structure/structure.go), which a string would fail.
const isAmount = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && Math.abs(value) < 1e12;
const isBoolean = (value: unknown): value is boolean => typeof value === 'boolean';
const isText = (value: unknown): value is string => typeof value === 'string' && value.length <= MANAGEMENT_API.maxTextLength;
const isCode = (value: unknown): value is string => typeof value === 'string' && /^[A-Za-z]{2,8}$/.test(value);

/** Undefined for an empty string: "not set". */
function optionalText(result: Json, field: string): string | undefined {
  const value = optional(result, field, isText);
  return value === '' ? undefined : value;
}

const secretText = (value: string | undefined) => (value === undefined ? undefined : new SecretText(value));

/**
 * Reads a GetAccountInfo answer. Throws MalformedField when `result` is missing, names another account than
 * `expectedAccountId`, or a field we read has the wrong type.
 */
function readAccountInfo(body: Json, expectedAccountId: string, readAt: number): AccountInfo {
  const result = body.result;
  if (!isObject(result)) throw new MalformedField('result');
  const accountId = result.account_id;
  if (typeof accountId !== 'number' || String(accountId) !== expectedAccountId) throw new MalformedField('result.account_id');
  const info: AccountInfo = {
    accountId: expectedAccountId,
    balance: optional(result, 'balance', isAmount),
    liveBalance: optional(result, 'live_balance', isAmount),
    creditLimit: optional(result, 'credit_limit', isAmount),
    frozen: optional(result, 'frozen', isBoolean),
    active: optional(result, 'active', isBoolean),
    minBalanceToNotify: optional(result, 'min_balance_to_notify', isAmount),
    callbackUrl: optionalText(result, 'callback_url'),
    callbackSalt: secretText(optionalText(result, 'callback_salt')),
    currency: optional(result, 'currency', isCode),
    languageCode: optional(result, 'language_code', isCode),
    apiAddress: optionalText(body, 'api_address'),
    readAt,
  };
  return Object.freeze(info);
}

/** The SetAccountInfo parameters for `changes`, checked against the documented limits. */
function setAccountInfoParams(changes: AccountInfoChanges): Record<string, string> {
  const invalid = (message: string) => new InvalidArgumentError('SetAccountInfo', message);
  const params: Record<string, string> = {};
  if (changes.callbackUrl !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(changes.callbackUrl);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || changes.callbackUrl.length > MANAGEMENT_API.maxTextLength) {
      throw invalid(`callback_url must be an http(s) URL of at most ${MANAGEMENT_API.maxTextLength} characters`);
    }
    params.callback_url = changes.callbackUrl;
  }
  if (changes.callbackSalt !== undefined) {
    // Printable ASCII only: the salt is hashed as text, and any other character invites an encoding mismatch.
    const max = MANAGEMENT_API.callbackSaltMaxLength;
    if (!new RegExp(`^[\\x20-\\x7e]{1,${max}}$`).test(changes.callbackSalt)) {
      throw invalid(`callback_salt must be 1..${max} printable ASCII characters`);
    }
    params.callback_salt = changes.callbackSalt;
  }
  if (changes.minBalanceToNotify !== undefined) {
    const value = changes.minBalanceToNotify;
    const text = String(value);
    if (!Number.isFinite(value) || value < 0 || value >= 1e9 || /e/i.test(text)) {
      throw invalid('min_balance_to_notify must be a plain decimal amount, 0 or more');
    }
    params.min_balance_to_notify = text;
  }
  if (Object.keys(params).length === 0) throw invalid('nothing to change');
  return params;
}

/** Resolves with `promise`, or rejects as soon as `signal` aborts. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** The body as UTF-8 text, refusing more than `maxBytes` (declared or actual). A stalled body ends when `signal` aborts. */
async function readBounded(method: ManagementApiMethod, response: Response, maxBytes: number): Promise<string> {
  const tooLarge = () => new UnavailableError(method, `answer larger than ${maxBytes} bytes`, { httpStatus: response.status });
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  const bytes = await readBoundedBytes(response, maxBytes);
  if (bytes === 'too-large') throw tooLarge();
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UnavailableError(method, 'answer is not UTF-8', { httpStatus: response.status });
  }
}

export class ManagementApi {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly now: () => number;

  constructor(
    private readonly credentials: CredentialsProvider,
    options: ManagementApiOptions = {},
  ) {
    this.baseUrl = options.baseUrl === undefined ? managementApiBaseUrl() : checkedBaseUrl(options.baseUrl);
    this.timeoutMs = options.timeoutMs ?? MANAGEMENT_API.timeoutMs;
    this.maxResponseBytes = options.maxResponseBytes ?? MANAGEMENT_API.maxResponseBytes;
    this.now = options.now ?? Date.now;
  }

  /**
   * The account's balance, limits and callback settings. Throws AuthRefusedError, NotFoundError,
   * ThrottledError, UnavailableError (timeout, abort, 5xx, malformed answer) or ManagementApiError.
   */
  async getAccountInfo(options: CallOptions = {}): Promise<AccountInfo> {
    const method = 'GetAccountInfo';
    const { body, accountId } = await this.call(method, { return_live_balance: 'true' }, options);
    try {
      return readAccountInfo(body, accountId, this.now());
    } catch (error) {
      if (error instanceof MalformedField) throw new UnavailableError(method, `malformed answer: ${error.message}`);
      throw error;
    }
  }

  /**
   * Sets callback_url, callback_salt and/or min_balance_to_notify. Throws InvalidArgumentError before any
   * request when a value breaks a documented limit, otherwise as getAccountInfo.
   */
  async setAccountInfo(changes: AccountInfoChanges, options: CallOptions = {}): Promise<void> {
    const method = 'SetAccountInfo';
    const { body } = await this.call(method, setAccountInfoParams(changes), options);
    if (body.result !== 1) throw new UnavailableError(method, 'malformed answer: result is not 1');
  }

  /** One request; the parsed success envelope, or a typed error. */
  private async call(
    method: ManagementApiMethod,
    params: Record<string, string>,
    options: CallOptions,
  ): Promise<{ body: Json; accountId: string }> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    let secrets: string[] = [];
    const failure = (error: unknown): ManagementApiError => {
      if (error instanceof ManagementApiError) return error;
      if (timeout.aborted) return new UnavailableError(method, `no answer within ${this.timeoutMs} ms`, { timedOut: true });
      if (signal.aborted) return new UnavailableError(method, 'aborted by the caller');
      return new UnavailableError(method, `request failed: ${redact(describeWithCause(error), secrets)}`);
    };
    try {
      const credentials = await abortable(
        Promise.resolve().then(() => this.credentials()),
        signal,
      ).catch((error: unknown) => {
        if (signal.aborted) throw error;
        throw new UnavailableError(method, `credentials could not be read: ${describeWithCause(error)}`);
      });
      const form = new URLSearchParams(params);
      const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
      let accountId: string;
      if ('apiKey' in credentials) {
        accountId = credentials.accountId;
        secrets = [credentials.apiKey];
        form.set('account_id', credentials.accountId);
        form.set('api_key', credentials.apiKey);
      } else {
        accountId = credentials.serviceAccount.accountId;
        const token = signServiceAccountJwt(credentials.serviceAccount, Math.floor(this.now() / 1000));
        secrets = [token];
        headers.authorization = `Bearer ${token}`;
      }
      // redirect 'manual': a redirect would carry the form, API key included, to wherever it points.
      const response = await fetch(new URL(method, this.baseUrl), {
        method: 'POST',
        headers,
        body: form.toString(),
        signal,
        redirect: 'manual',
      });
      const text = await readBounded(method, response, this.maxResponseBytes);
      return { body: this.envelope(method, response.status, text, secrets), accountId };
    } catch (error) {
      throw failure(error);
    }
  }

  /** The success envelope, or the typed error the answer stands for. */
  private envelope(method: ManagementApiMethod, httpStatus: number, text: string, secrets: readonly string[]): Json {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      if (httpStatus < 200 || httpStatus > 299) throw errorForStatus(method, httpStatus);
      throw new UnavailableError(method, 'answer is not JSON', { httpStatus });
    }
    // `errors` (a list) is how the API answers batched calls (apiclient-go structure/error.go, VError).
    const error = isObject(json) ? (json.error ?? (Array.isArray(json.errors) ? json.errors[0] : undefined)) : undefined;
    if (error !== undefined) {
      if (!isObject(error) || typeof error.code !== 'number' || !Number.isInteger(error.code)) {
        throw new UnavailableError(method, 'malformed error envelope', { httpStatus });
      }
      const msg = typeof error.msg === 'string' ? redact(error.msg, secrets) : '(no msg)';
      throw errorForCode(method, error.code, msg, httpStatus);
    }
    if (httpStatus < 200 || httpStatus > 299) throw errorForStatus(method, httpStatus);
    if (!isObject(json)) throw new UnavailableError(method, 'answer is not a JSON object', { httpStatus });
    return json;
  }
}
