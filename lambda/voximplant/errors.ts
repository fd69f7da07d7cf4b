/**
 * Typed errors of the Voximplant Management API client (management-api.ts), and how the API's error codes map
 * onto them.
 *
 * The API answers a failed call with the envelope `{"error": {"code": <number>, "msg": <string>}}` (APIError in
 * voximplant/apiclient-nodejs src/Structures.ts; the Python client raises VoximplantException(msg, code) from
 * `res["error"]`, src/voximplant/apiclient/client.py; the Go client decodes structure.VError). The codes below
 * are the APIErrorCode enum of voximplant/apiclient-nodejs src/Enums.ts, also published on
 * https://voximplant.com/docs/references/httpapi/errors. No source says which HTTP status carries the
 * envelope, so the envelope's code wins whatever the status, and the status decides only when there is no
 * envelope (401/403 refused, 429 throttled, anything else unavailable).
 *
 * Messages never contain a credential: the client builds them from the method name, the code and the API's
 * `msg` with every credential it holds removed (see redact()).
 */

/** The API error codes this project acts on (apiclient-nodejs src/Enums.ts, APIErrorCode). */
export const API_ERROR_CODES = {
  fatalError: 1,
  internalError: 2,
  dbError: 4,
  /** "Authorization failed": wrong api_key, or a JWT that does not verify. */
  authorizationFailed: 100,
  /** "Invalid arguments". */
  invalidArguments: 101,
  /** "Forbidden command": the service account's roles do not allow the method. */
  forbiddenCommand: 104,
  /** "The 'account_id' parameter is invalid". */
  invalidAccountId: 115,
  /** "try later..". */
  tryLater: 162,
  /** "Concurrent resource limit exceeded". */
  concurrentResourceLimitExceeded: 314,
  /** "Rate limit exceed". */
  rateLimitExceed: 340,
  /** "The 'callback_url' parameter is invalid". */
  invalidCallbackUrl: 398,
  /** "The 'callback_salt' parameter length must be less than 40". */
  callbackSaltInvalid: 399,
  /** "Invalid key id.": the JWT's kid names no key of the account. */
  invalidKeyId: 433,
  /** "Invalid token format.". */
  invalidTokenFormat: 447,
} as const;

export type ManagementApiMethod = 'GetAccountInfo' | 'SetAccountInfo';

export interface ManagementApiErrorDetails {
  /** The API's error code, when it answered with the error envelope. */
  readonly code?: number;
  /** The HTTP status, when an answer arrived. */
  readonly httpStatus?: number;
  readonly cause?: unknown;
}

/** Base of every error the client throws. `code` is the API's error code when it answered with one. */
export class ManagementApiError extends Error {
  readonly code?: number;
  readonly httpStatus?: number;
  constructor(
    readonly method: ManagementApiMethod,
    message: string,
    details: ManagementApiErrorDetails = {},
  ) {
    super(`Voximplant ${method}: ${message}`, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'ManagementApiError';
    this.code = details.code;
    this.httpStatus = details.httpStatus;
  }
}

/** The API refused the credentials (wrong API key, JWT not accepted, or a role that does not allow the method). */
export class AuthRefusedError extends ManagementApiError {
  constructor(method: ManagementApiMethod, message: string, details?: ManagementApiErrorDetails) {
    super(method, message, details);
    this.name = 'AuthRefusedError';
  }
}

/** The API does not know the account named by the request. */
export class NotFoundError extends ManagementApiError {
  constructor(method: ManagementApiMethod, message: string, details?: ManagementApiErrorDetails) {
    super(method, message, details);
    this.name = 'NotFoundError';
  }
}

/** The API asked us to slow down (rate or concurrency limit, "try later"). */
export class ThrottledError extends ManagementApiError {
  constructor(method: ManagementApiMethod, message: string, details?: ManagementApiErrorDetails) {
    super(method, message, details);
    this.name = 'ThrottledError';
  }
}

/**
 * No usable answer: timeout (or the caller's abort), connection failure, HTTP 5xx or another status without
 * the error envelope, a redirect, an answer larger than the bound, or an answer that is not the documented
 * shape. `timedOut` tells the client's own deadline from the caller's abort.
 */
export class UnavailableError extends ManagementApiError {
  readonly timedOut: boolean;
  constructor(method: ManagementApiMethod, message: string, details: ManagementApiErrorDetails & { timedOut?: boolean } = {}) {
    super(method, message, details);
    this.name = 'UnavailableError';
    this.timedOut = details.timedOut ?? false;
  }
}

/** A value the API refuses (or would refuse: the client checks the documented limits before sending). */
export class InvalidArgumentError extends ManagementApiError {
  constructor(method: ManagementApiMethod, message: string, details?: ManagementApiErrorDetails) {
    super(method, message, details);
    this.name = 'InvalidArgumentError';
  }
}

const AUTH_REFUSED: ReadonlySet<number> = new Set([
  API_ERROR_CODES.authorizationFailed,
  API_ERROR_CODES.forbiddenCommand,
  API_ERROR_CODES.invalidKeyId,
  API_ERROR_CODES.invalidTokenFormat,
]);
const NOT_FOUND: ReadonlySet<number> = new Set([API_ERROR_CODES.invalidAccountId]);
const THROTTLED: ReadonlySet<number> = new Set([
  API_ERROR_CODES.tryLater,
  API_ERROR_CODES.concurrentResourceLimitExceeded,
  API_ERROR_CODES.rateLimitExceed,
]);
const UNAVAILABLE: ReadonlySet<number> = new Set([API_ERROR_CODES.fatalError, API_ERROR_CODES.internalError, API_ERROR_CODES.dbError]);
const INVALID_ARGUMENT: ReadonlySet<number> = new Set([
  API_ERROR_CODES.invalidArguments,
  API_ERROR_CODES.invalidCallbackUrl,
  API_ERROR_CODES.callbackSaltInvalid,
]);

/**
 * The typed error for an error envelope. `msg` must already be redacted. A code outside the sets above
 * (the enum has some 450 codes, most about other methods) is a plain ManagementApiError carrying the code.
 */
export function errorForCode(method: ManagementApiMethod, code: number, msg: string, httpStatus?: number): ManagementApiError {
  const message = `error ${code}: ${msg}`;
  const details = { code, httpStatus };
  if (AUTH_REFUSED.has(code)) return new AuthRefusedError(method, message, details);
  if (NOT_FOUND.has(code)) return new NotFoundError(method, message, details);
  if (THROTTLED.has(code)) return new ThrottledError(method, message, details);
  if (UNAVAILABLE.has(code)) return new UnavailableError(method, message, details);
  if (INVALID_ARGUMENT.has(code)) return new InvalidArgumentError(method, message, details);
  return new ManagementApiError(method, message, details);
}

/** The typed error for an HTTP answer that carries no error envelope. */
export function errorForStatus(method: ManagementApiMethod, httpStatus: number): ManagementApiError {
  const message = `HTTP ${httpStatus} without the API's error envelope`;
  if (httpStatus === 401 || httpStatus === 403) return new AuthRefusedError(method, message, { httpStatus });
  if (httpStatus === 429) return new ThrottledError(method, message, { httpStatus });
  return new UnavailableError(method, message, { httpStatus });
}

/** Longest API `msg` quoted in an error message: the answer is untrusted input, and messages reach logs. */
const MAX_QUOTED_MESSAGE = 200;

/**
 * Makes an untrusted text safe to put in an error message: every secret removed, control characters
 * replaced, and the length bounded. Secrets shorter than 4 characters are not searched for (they would
 * match by chance and no real credential is that short).
 */
export function redact(text: string, secrets: readonly string[]): string {
  let safe = text;
  for (const secret of secrets) {
    if (secret.length >= 4) safe = safe.split(secret).join('[redacted]');
  }
  // eslint-disable-next-line no-control-regex
  safe = safe.replace(/[\u0000-\u001f\u007f]/g, ' ');
  return safe.length > MAX_QUOTED_MESSAGE ? `${safe.slice(0, MAX_QUOTED_MESSAGE)}…` : safe;
}
