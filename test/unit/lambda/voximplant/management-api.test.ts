/**
 * The Management API client against the loopback stand-in (local/voximplant-standin.ts): real HTTP, real
 * fetch, no mocks. Bounded waits are decided by abort (the client's own timeout, or the caller's signal), never
 * by timing assertions.
 *
 * Over 400 lines: one table per documented answer shape and error, against one stand-in.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { inspect } from 'node:util';
import {
  API_ERROR_CODES,
  AuthRefusedError,
  InvalidArgumentError,
  ManagementApiError,
  NotFoundError,
  ThrottledError,
  UnavailableError,
} from '../../../../lambda/voximplant/errors';
import { signServiceAccountJwt, type ServiceAccountCredentials } from '../../../../lambda/voximplant/jwt';
import {
  ManagementApi,
  managementApiBaseUrl,
  MANAGEMENT_API,
  type ManagementApiCredentials,
  type ManagementApiOptions,
} from '../../../../lambda/voximplant/management-api';
import { STANDIN_ACCOUNT, VoximplantStandin, type StandinFault } from '../../../../local/voximplant-standin';

const KEY_ID = 'standin-key-1';
const keyPair = generateKeyPairSync('rsa', { modulusLength: 2048 });
const otherKeyPair = generateKeyPairSync('rsa', { modulusLength: 2048 });

const apiKeyCredentials: ManagementApiCredentials = { accountId: STANDIN_ACCOUNT.accountId, apiKey: STANDIN_ACCOUNT.apiKey };
function serviceAccount(overrides: Partial<{ accountId: string; keyId: string; privateKey: KeyObject }> = {}): ServiceAccountCredentials {
  return { accountId: STANDIN_ACCOUNT.accountId, keyId: KEY_ID, privateKey: keyPair.privateKey, ...overrides };
}

let standin: VoximplantStandin;

beforeEach(async () => {
  standin = await VoximplantStandin.start({ serviceAccountKeys: [{ keyId: KEY_ID, publicKey: keyPair.publicKey }] });
});
afterEach(async () => {
  standin.release();
  await standin.close();
});

function client(credentials: ManagementApiCredentials = apiKeyCredentials, options: ManagementApiOptions = {}): ManagementApi {
  return new ManagementApi(async () => credentials, { baseUrl: standin.url, ...options });
}

/** The error a call rejects with; fails the test when it resolves. */
async function failure(call: Promise<unknown>): Promise<ManagementApiError> {
  const outcome = await call.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(outcome instanceof ManagementApiError)) throw new Error(`expected a ManagementApiError, got ${String(outcome)}`);
  return outcome;
}

/** Neither the API key nor anything that looks like a token appears in what an error exposes. */
function expectNoSecret(error: Error, secrets: readonly string[] = [STANDIN_ACCOUNT.apiKey]): void {
  const exposed = [
    String(error),
    error.message,
    error.stack ?? '',
    JSON.stringify(error),
    String((error as { cause?: unknown }).cause ?? ''),
  ].join('\n');
  for (const secret of secrets) expect(exposed).not.toContain(secret);
}

describe('GetAccountInfo with account_id + api_key', () => {
  test('reads the documented fields, typed, and asks as the API documents', async () => {
    Object.assign(standin.account, {
      balance: 3.25,
      creditLimit: 5,
      frozen: true,
      minBalanceToNotify: 10,
      callbackUrl: 'https://hooks.example/cb',
      callbackSalt: 'salt-1',
    });

    const before = Date.now();
    const info = await client().getAccountInfo();

    expect(info).toMatchObject({
      accountId: STANDIN_ACCOUNT.accountId,
      balance: 3.25,
      creditLimit: 5,
      frozen: true,
      active: true,
      minBalanceToNotify: 10,
      callbackUrl: 'https://hooks.example/cb',
      currency: 'USD',
      languageCode: 'en',
      apiAddress: standin.url,
    });
    expect(info.callbackSalt?.equals('salt-1')).toBe(true);
    expect(info.callbackSalt?.equals('salt-2')).toBe(false);
    expect(info.callbackSalt?.equals('salt')).toBe(false);
    expect(info.readAt).toBeGreaterThanOrEqual(before);
    expect(standin.requests).toEqual([
      expect.objectContaining({
        httpMethod: 'POST',
        path: '/platform_api/GetAccountInfo',
        contentType: 'application/x-www-form-urlencoded',
        query: {},
        form: { return_live_balance: 'true', account_id: STANDIN_ACCOUNT.accountId, api_key: '[redacted]' },
        authorization: undefined,
        apiKeyInQuery: false,
        url: '/platform_api/GetAccountInfo',
      }),
    ]);
  });

  test('keeps neither the api_key the answer carries nor the salt in anything printed', async () => {
    standin.account.callbackSalt = 'a-secret-salt';
    const info = await client().getAccountInfo();
    const copy = { ...info };

    for (const printed of [JSON.stringify(info), inspect(info), inspect(copy), JSON.stringify(copy), `${info.callbackSalt}`]) {
      expect(printed).not.toContain(STANDIN_ACCOUNT.apiKey);
      expect(printed).not.toContain('a-secret-salt');
    }
    expect(JSON.stringify(info)).toContain('"callbackSalt":"[redacted]"');
    expect(copy.callbackSalt?.equals('a-secret-salt')).toBe(true);
    expect(copy.callbackSalt?.reveal()).toBe('a-secret-salt');
  });

  test('an account without a callback URL or salt reads as not set', async () => {
    const info = await client().getAccountInfo();
    expect(info.callbackUrl).toBeUndefined();
    expect(info.callbackSalt).toBeUndefined();
  });
});

describe('SetAccountInfo', () => {
  test('set then get: the account holds the new URL, salt and threshold', async () => {
    const api = client();
    await api.setAccountInfo({ callbackUrl: 'https://stack.example/webhook', callbackSalt: 'x'.repeat(39), minBalanceToNotify: 25.5 });
    const info = await api.getAccountInfo();

    expect(info.callbackUrl).toBe('https://stack.example/webhook');
    expect(info.callbackSalt?.reveal()).toBe('x'.repeat(39));
    expect(info.minBalanceToNotify).toBe(25.5);
    expect(standin.requests[0]).toMatchObject({
      path: '/platform_api/SetAccountInfo',
      query: {},
      form: {
        callback_url: 'https://stack.example/webhook',
        callback_salt: 'x'.repeat(39),
        min_balance_to_notify: '25.5',
        api_key: '[redacted]',
      },
    });
  });

  test('changes only what it is given', async () => {
    Object.assign(standin.account, { callbackUrl: 'https://other.example/', callbackSalt: 'kept' });
    await client().setAccountInfo({ minBalanceToNotify: 3 });
    expect(standin.account).toMatchObject({ callbackUrl: 'https://other.example/', callbackSalt: 'kept', minBalanceToNotify: 3 });
    expect(Object.keys(standin.requests[0].form).sort()).toEqual(['account_id', 'api_key', 'min_balance_to_notify']);
  });

  test.each([
    ['a 40-character salt', { callbackSalt: 'x'.repeat(40) }],
    ['an empty salt', { callbackSalt: '' }],
    ['a salt with a non-ASCII character', { callbackSalt: 'sält' }],
    ['a URL that is not http(s)', { callbackUrl: 'ftp://stack.example/' }],
    ['a relative URL', { callbackUrl: '/webhook' }],
    ['a negative threshold', { minBalanceToNotify: -1 }],
    ['a threshold in exponent notation', { minBalanceToNotify: 1e-7 }],
    ['nothing to change', {}],
  ])('refuses %s before sending anything', async (_name, changes) => {
    const error = await failure(client().setAccountInfo(changes));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(standin.requests).toHaveLength(0);
  });

  test('the stand-in enforces the salt limit itself (error 399), as the API does', async () => {
    const response = await fetch(new URL('SetAccountInfo', standin.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        account_id: STANDIN_ACCOUNT.accountId,
        api_key: STANDIN_ACCOUNT.apiKey,
        callback_salt: 'x'.repeat(40),
      }).toString(),
    });
    expect(await response.json()).toEqual({ error: { code: API_ERROR_CODES.callbackSaltInvalid, msg: expect.any(String) } });
    expect(standin.account.callbackSalt).toBeUndefined();
  });

  test('an answer other than {"result": 1} is not a success', async () => {
    standin.fault = { kind: 'answer', status: 200, body: '{"result": 0}' };
    expect(await failure(client().setAccountInfo({ minBalanceToNotify: 1 }))).toBeInstanceOf(UnavailableError);
  });
});

describe('errors are typed, carry the API code, and never a credential', () => {
  test('wrong API key: AuthRefusedError 100', async () => {
    const wrongKey = 'wrong-api-key-0123456789abcdef';
    const error = await failure(client({ accountId: STANDIN_ACCOUNT.accountId, apiKey: wrongKey }).getAccountInfo());
    expect(error).toBeInstanceOf(AuthRefusedError);
    expect(error.code).toBe(API_ERROR_CODES.authorizationFailed);
    expect(error.method).toBe('GetAccountInfo');
    expectNoSecret(error, [wrongKey, STANDIN_ACCOUNT.apiKey]);
    expect(standin.requests[0].apiKeyInQuery).toBe(false);
  });

  test.each<[string, StandinFault, new (...args: never[]) => ManagementApiError, number | undefined]>([
    [
      'forbidden command (a role that does not allow the method)',
      { kind: 'error', code: 104, msg: 'Forbidden command' },
      AuthRefusedError,
      104,
    ],
    ['invalid account_id', { kind: 'error', code: 115, msg: "The 'account_id' parameter is invalid" }, NotFoundError, 115],
    ['rate limit', { kind: 'error', code: 340, msg: 'Rate limit exceed' }, ThrottledError, 340],
    ['try later', { kind: 'error', code: 162, msg: 'try later..' }, ThrottledError, 162],
    ['internal error', { kind: 'error', code: 2, msg: 'Internal error' }, UnavailableError, 2],
    ['an error envelope on HTTP 500', { kind: 'error', code: 100, msg: 'Authorization failed', status: 500 }, AuthRefusedError, 100],
    [
      'a batched-call error list',
      { kind: 'answer', status: 200, body: '{"errors": [{"code": 340, "msg": "Rate limit exceed"}]}' },
      ThrottledError,
      340,
    ],
    ['a code this client does not classify', { kind: 'error', code: 9999, msg: 'something else' }, ManagementApiError, 9999],
    [
      'HTTP 503 with an HTML page',
      { kind: 'answer', status: 503, body: '<html>down</html>', headers: { 'content-type': 'text/html' } },
      UnavailableError,
      undefined,
    ],
    ['HTTP 429 without the envelope', { kind: 'answer', status: 429, body: 'slow down' }, ThrottledError, undefined],
    ['HTTP 401 without the envelope', { kind: 'answer', status: 401, body: '' }, AuthRefusedError, undefined],
    ['malformed JSON', { kind: 'answer', status: 200, body: '{"result": {"account_id": 42' }, UnavailableError, undefined],
    ['a JSON array', { kind: 'answer', status: 200, body: '[]' }, UnavailableError, undefined],
    [
      'an error envelope without a numeric code',
      { kind: 'answer', status: 200, body: '{"error": {"code": "100", "msg": "x"}}' },
      UnavailableError,
      undefined,
    ],
    [
      'a redirect (never followed: it would carry the key elsewhere)',
      { kind: 'answer', status: 307, body: '', headers: { location: 'http://127.0.0.1:9/steal' } },
      UnavailableError,
      undefined,
    ],
  ])('%s', async (_name, fault, type, code) => {
    standin.fault = fault;
    const error = await failure(client().getAccountInfo());
    expect(error).toBeInstanceOf(type);
    expect(error.constructor).toBe(type);
    expect(error.code).toBe(code);
    expectNoSecret(error);
  });

  test.each([
    ['result is not an object', { result: 'x' }],
    ['another account', { result: { account_id: 1 } }],
    ['balance as a string', { result: { account_id: 4242, balance: '12.5' } }],
    ['frozen as a string', { result: { account_id: 4242, frozen: 'false' } }],
    ['callback_url as a number', { result: { account_id: 4242, callback_url: 7 } }],
    [
      'a callback_url past the bound',
      { result: { account_id: 4242, callback_url: `https://x.example/${'a'.repeat(MANAGEMENT_API.maxTextLength)}` } },
    ],
    ['an infinite-looking balance', { result: { account_id: 4242, balance: 1e300 } }],
  ])('a malformed GetAccountInfo answer (%s) is UnavailableError, not a guess', async (_name, answer) => {
    standin.fault = { kind: 'answer', status: 200, body: JSON.stringify(answer) };
    const error = await failure(client().getAccountInfo());
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error.message).toMatch(/malformed answer/);
  });

  test('a redirect is reported as such, not followed', async () => {
    standin.fault = { kind: 'answer', status: 307, body: '', headers: { location: `${standin.url}GetAccountInfo?followed=1` } };
    const error = await failure(client().getAccountInfo());
    expect(error.message).toMatch(/HTTP 307/);
    expect(standin.requests).toHaveLength(1);
  });

  test('an error msg that echoes the key is redacted, and bounded', async () => {
    standin.fault = { kind: 'error', code: 100, msg: `bad key ${STANDIN_ACCOUNT.apiKey}\n${'z'.repeat(1000)}` };
    const error = await failure(client().getAccountInfo());
    expect(error).toBeInstanceOf(AuthRefusedError);
    expectNoSecret(error);
    expect(error.message).toContain('[redacted]');
    expect(error.message.length).toBeLessThan(400);
    expect(error.message).not.toContain('\n');
  });

  test('an answer larger than the bound is refused', async () => {
    standin.fault = { kind: 'answer', status: 200, body: JSON.stringify({ result: { account_id: 4242, padding: 'p'.repeat(100_000) } }) };
    const error = await failure(client().getAccountInfo());
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error.message).toMatch(/larger than 65536 bytes/);
  });

  test('an answer larger than the bound is refused without Content-Length too', async () => {
    standin.fault = { kind: 'answer', status: 200, body: JSON.stringify({ result: { account_id: 4242, padding: 'p'.repeat(4096) } }) };
    const error = await failure(client(apiKeyCredentials, { maxResponseBytes: 1024 }).getAccountInfo());
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error.message).toMatch(/larger than 1024 bytes/);
  });

  test('nobody listening: UnavailableError, not a hang and not a raw TypeError', async () => {
    const url = standin.url;
    await standin.close();
    standin = await VoximplantStandin.start();
    const error = await failure(new ManagementApi(async () => apiKeyCredentials, { baseUrl: url }).getAccountInfo());
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error.message).toMatch(/request failed/);
    expectNoSecret(error);
  });
});

describe('bounded waits, decided by abort', () => {
  test('headers late: the client gives up at its own timeout', async () => {
    standin.fault = { kind: 'slow' };
    const error = await failure(client(apiKeyCredentials, { timeoutMs: 200 }).getAccountInfo());
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as UnavailableError).timedOut).toBe(true);
    expect(error.message).toMatch(/no answer within 200 ms/);
    expect(standin.requests).toHaveLength(1);
    expectNoSecret(error);
  });

  test('headers sent, body stalled: the same timeout ends the read', async () => {
    standin.fault = { kind: 'stall' };
    const error = await failure(client(apiKeyCredentials, { timeoutMs: 200 }).getAccountInfo());
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as UnavailableError).timedOut).toBe(true);
  });

  test("the caller's signal ends the wait early, and says so", async () => {
    standin.fault = { kind: 'slow' };
    const controller = new AbortController();
    const call = failure(client(apiKeyCredentials, { timeoutMs: 60_000 }).getAccountInfo({ signal: controller.signal }));
    await waitFor(() => standin.requests.length === 1);
    controller.abort();
    const error = await call;
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as UnavailableError).timedOut).toBe(false);
    expect(error.message).toMatch(/aborted by the caller/);
  });

  test('credentials that cannot be read: UnavailableError that says so, no request', async () => {
    const api = new ManagementApi(async () => Promise.reject(new Error('SSM unreachable')), { baseUrl: standin.url });
    const error = await failure(api.getAccountInfo());
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error.message).toMatch(/credentials could not be read: Error: SSM unreachable/);
    expect(standin.requests).toHaveLength(0);
  });

  test('credentials that never come are bounded by the same wait', async () => {
    const api = new ManagementApi(() => new Promise<ManagementApiCredentials>(() => undefined), { baseUrl: standin.url, timeoutMs: 100 });
    const error = await failure(api.getAccountInfo());
    expect((error as UnavailableError).timedOut).toBe(true);
    expect(standin.requests).toHaveLength(0);
  });

  test('a held answer released in time is read normally', async () => {
    standin.fault = { kind: 'slow' };
    const call = client(apiKeyCredentials, { timeoutMs: 60_000 }).getAccountInfo();
    await waitFor(() => standin.requests.length === 1);
    standin.release();
    expect((await call).balance).toBe(STANDIN_ACCOUNT.balance);
  });
});

describe('service-account JWT', () => {
  test('accepted: the token goes in the Authorization header, nothing secret in the form', async () => {
    const info = await client({ serviceAccount: serviceAccount() }).getAccountInfo();
    expect(info.accountId).toBe(STANDIN_ACCOUNT.accountId);
    expect(standin.requests[0]).toMatchObject({ authorization: 'Bearer [redacted]', form: { return_live_balance: 'true' }, query: {} });
  });

  test('set then get with the JWT', async () => {
    const api = client({ serviceAccount: serviceAccount() });
    await api.setAccountInfo({ callbackUrl: 'https://stack.example/jwt' });
    expect((await api.getAccountInfo()).callbackUrl).toBe('https://stack.example/jwt');
  });

  test.each([
    ['signed with another key (same kid)', () => ({ serviceAccount: serviceAccount({ privateKey: otherKeyPair.privateKey }) }), {}],
    ['an unknown kid', () => ({ serviceAccount: serviceAccount({ keyId: 'no-such-key' }) }), {}],
    ['another account as iss', () => ({ serviceAccount: serviceAccount({ accountId: '4243' }) }), {}],
    ['expired (signed two hours ago)', () => ({ serviceAccount: serviceAccount() }), { now: () => Date.now() - 2 * 3600_000 }],
    ['issued in the future (a clock far ahead)', () => ({ serviceAccount: serviceAccount() }), { now: () => Date.now() + 3600_000 }],
  ])('refused: %s', async (_name, credentials, options) => {
    const error = await failure(client(credentials(), options).getAccountInfo());
    expect(error).toBeInstanceOf(AuthRefusedError);
    expect(error.code).toBe(API_ERROR_CODES.authorizationFailed);
  });

  test.each([
    [
      'a payload changed after signing',
      (token: string) => {
        const [header, payload, signature] = token.split('.');
        const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
        claims.exp += 3000;
        return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
      },
    ],
    [
      'alg none',
      (token: string) => {
        const [, payload] = token.split('.');
        return `${Buffer.from(JSON.stringify({ alg: 'none', kid: KEY_ID })).toString('base64url')}.${payload}.`;
      },
    ],
    ['a truncated signature', (token: string) => token.slice(0, -10)],
    ['not a JWT', () => 'not-a-jwt'],
  ])('the stand-in refuses a tampered token: %s', async (_name, tamper) => {
    const token = tamper(signServiceAccountJwt(serviceAccount(), Math.floor(Date.now() / 1000)));
    const response = await fetch(new URL('GetAccountInfo', standin.url), { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(await response.json()).toEqual({ error: { code: API_ERROR_CODES.authorizationFailed, msg: 'Authorization failed' } });
  });

  test('errors never quote the token', async () => {
    // RS256 (PKCS#1 v1.5) is deterministic: the client signs this very token at this clock.
    const nowMs = 1_700_000_000_000;
    const token = signServiceAccountJwt(serviceAccount(), nowMs / 1000);
    standin.fault = { kind: 'error', code: 100, msg: `token ${token} refused` };
    const error = await failure(client({ serviceAccount: serviceAccount() }, { now: () => nowMs }).getAccountInfo());
    expect(error.message).toContain('[redacted]');
    expectNoSecret(error, [token, token.split('.')[2]]);
  });
});

describe('the stand-in reads requests as the API does', () => {
  const auth = { account_id: STANDIN_ACCOUNT.accountId, api_key: STANDIN_ACCOUNT.apiKey };

  test('GET /platform_api?cmd=GetAccountInfo with query parameters: answered, recorded with the key redacted', async () => {
    const response = await fetch(`${standin.url.replace(/\/$/, '')}?${new URLSearchParams({ cmd: 'GetAccountInfo', ...auth })}`);
    const body = (await response.json()) as { result: unknown; api_address: unknown };
    expect(body.result).toMatchObject({ account_id: Number(STANDIN_ACCOUNT.accountId), api_key: STANDIN_ACCOUNT.apiKey });
    expect(body.api_address).toBe(standin.url);
    expect(standin.requests[0]).toMatchObject({
      httpMethod: 'GET',
      command: 'GetAccountInfo',
      apiKeyInQuery: true,
      query: { api_key: '[redacted]' },
    });
    expect(JSON.stringify(standin.requests)).not.toContain(STANDIN_ACCOUNT.apiKey);
  });

  test('a multipart body is refused with error 101 (our client never sends one)', async () => {
    const form = new FormData();
    for (const [name, value] of Object.entries(auth)) form.append(name, value);
    const response = await fetch(new URL('GetAccountInfo', standin.url), { method: 'POST', body: form });
    expect(await response.json()).toEqual({ error: { code: API_ERROR_CODES.invalidArguments, msg: 'Invalid arguments' } });
  });

  test('an unknown method is error 103, and the answer without the key is error 100', async () => {
    const post = async (path: string, params: Record<string, string>) =>
      (await fetch(new URL(path, standin.url), { method: 'POST', body: new URLSearchParams(params) })).json();
    expect(await post('DelAccount', auth)).toEqual({ error: { code: 103, msg: 'Unknown command' } });
    expect(await post('GetAccountInfo', { account_id: STANDIN_ACCOUNT.accountId })).toEqual({
      error: { code: 100, msg: 'Authorization failed' },
    });
  });
});

describe('base URL from VOXIMPLANT_API_URL', () => {
  test('defaults to the public host', () => {
    expect(managementApiBaseUrl({})).toBe('https://api.voximplant.com/platform_api/');
  });
  test('takes a loopback stand-in over http, adding the trailing slash', () => {
    expect(managementApiBaseUrl({ VOXIMPLANT_API_URL: 'http://127.0.0.1:8123/platform_api' })).toBe('http://127.0.0.1:8123/platform_api/');
  });
  test.each([
    'http://api.example.com/platform_api/',
    'https://user:pass@api.example.com/platform_api/',
    'https://api.example.com/platform_api/?api_key=x',
    'not a url',
  ])('refuses %s, from the environment or the options', (value) => {
    expect(() => managementApiBaseUrl({ VOXIMPLANT_API_URL: value })).toThrow(/VOXIMPLANT_API_URL/);
    expect(() => new ManagementApi(async () => apiKeyCredentials, { baseUrl: value })).toThrow(/VOXIMPLANT_API_URL/);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}
