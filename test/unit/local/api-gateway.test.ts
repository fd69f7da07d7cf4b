import { Readable } from 'node:stream';
import {
  GATEWAY_RESPONSES,
  collectHeaders,
  encodeBody,
  formatRequestTime,
  fromResult,
  lambdaContext,
  readBody,
  routeFor,
  routeKeyFor,
  toEvent,
  type RawRequest,
} from '../../../local/api-gateway';

const NOW = new Date(Date.UTC(2025, 10, 29, 1, 56, 7, 123));

function request(overrides: Partial<RawRequest> = {}): RawRequest {
  return {
    method: 'POST',
    url: '/',
    rawHeaders: ['Host', 'localhost:3000', 'Content-Type', 'application/json', 'User-Agent', 'curl/8.5.0'],
    body: Buffer.from('{"callbacks":[]}'),
    sourceIp: '127.0.0.1',
    httpVersion: '1.1',
    ...overrides,
  };
}

describe('toEvent', () => {
  it('builds an HTTP API payload 2.0 event for POST /', () => {
    const event = toEvent(request(), { now: NOW, requestId: 'req-1' });
    expect(event).toEqual({
      version: '2.0',
      routeKey: 'POST /',
      rawPath: '/',
      rawQueryString: '',
      headers: {
        host: 'localhost:3000',
        'content-type': 'application/json',
        'user-agent': 'curl/8.5.0',
        'x-forwarded-for': '127.0.0.1',
        'x-forwarded-proto': 'http',
      },
      requestContext: {
        accountId: 'anonymous',
        apiId: 'local',
        domainName: 'localhost',
        domainPrefix: 'localhost',
        http: { method: 'POST', path: '/', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'curl/8.5.0' },
        requestId: 'req-1',
        routeKey: 'POST /',
        stage: '$default',
        time: '29/Nov/2025:01:56:07 +0000',
        timeEpoch: NOW.getTime(),
      },
      body: '{"callbacks":[]}',
      isBase64Encoded: false,
    });
  });

  it('lower-cases header names and joins repeated headers with commas', () => {
    const event = toEvent(request({ rawHeaders: ['X-Custom', 'a', 'x-custom', 'b', 'ACCEPT', '*/*'] }), { now: NOW });
    expect(event.headers['x-custom']).toBe('a,b');
    expect(event.headers.accept).toBe('*/*');
    expect(Object.keys(event.headers).every((name) => name === name.toLowerCase())).toBe(true);
  });

  it('moves cookies to their own list and appends the source ip to x-forwarded-for', () => {
    const event = toEvent(request({ rawHeaders: ['Cookie', 'a=1; b=2', 'X-Forwarded-For', '203.0.113.7'], sourceIp: '10.0.0.2' }), {
      now: NOW,
    });
    expect(event.cookies).toEqual(['a=1', 'b=2']);
    expect(event.headers.cookie).toBeUndefined();
    expect(event.headers['x-forwarded-for']).toBe('203.0.113.7, 10.0.0.2');
    expect(event.requestContext.http.sourceIp).toBe('10.0.0.2');
  });

  it('splits path and query, decodes parameters, and uses $default for paths without a route', () => {
    const event = toEvent(request({ method: 'get', url: '/hooks/vox?a=1&b=x%20y&a=2#frag', body: Buffer.alloc(0) }), { now: NOW });
    expect(event.rawPath).toBe('/hooks/vox');
    expect(event.rawQueryString).toBe('a=1&b=x%20y&a=2');
    expect(event.queryStringParameters).toEqual({ a: '1,2', b: 'x y' });
    expect(event.routeKey).toBe('$default');
    expect(event.requestContext.http).toMatchObject({ method: 'GET', path: '/hooks/vox' });
    expect(event.body).toBeUndefined();
    expect(event.isBase64Encoded).toBe(false);
  });

  it('gives GET / its own route and no body', () => {
    const event = toEvent(request({ method: 'GET', body: Buffer.alloc(0) }), { now: NOW });
    expect(event.routeKey).toBe('GET /');
    expect(event).not.toHaveProperty('body');
    expect(event).not.toHaveProperty('queryStringParameters');
  });

  it('passes binary bodies base64-encoded, flagged isBase64Encoded', () => {
    const binary = Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x80]);
    const event = toEvent(request({ body: binary }), { now: NOW });
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body!, 'base64')).toEqual(binary);
  });

  it('gives each request a fresh request id by default', () => {
    expect(toEvent(request()).requestContext.requestId).not.toBe(toEvent(request()).requestContext.requestId);
  });
});

describe('encodeBody', () => {
  it('keeps valid UTF-8 text as is, including non-ASCII and a BOM', () => {
    expect(encodeBody(Buffer.from('{"name":"Жанна ✓"}'))).toEqual({ body: '{"name":"Жанна ✓"}', isBase64Encoded: false });
    expect(encodeBody(Buffer.from('\uFEFF{}'))).toEqual({ body: '\uFEFF{}', isBase64Encoded: false });
  });

  it('base64-encodes invalid UTF-8 and bodies with NUL bytes', () => {
    expect(encodeBody(Buffer.from([0xc3, 0x28]))).toEqual({ body: 'wyg=', isBase64Encoded: true });
    expect(encodeBody(Buffer.from('a\u0000b'))).toEqual({ body: 'YQBi', isBase64Encoded: true });
  });

  it('has no body for an empty one', () => {
    expect(encodeBody(Buffer.alloc(0))).toEqual({ isBase64Encoded: false });
  });
});

describe('collectHeaders', () => {
  it('ignores a dangling name without value', () => {
    expect(collectHeaders(['A', '1', 'B'])).toEqual({ headers: { a: '1' }, cookies: [] });
  });
});

describe('routeKeyFor', () => {
  it.each([
    ['POST', '/', 'POST /'],
    ['get', '/', 'GET /'],
    ['PUT', '/', undefined],
    ['HEAD', '/', undefined],
    ['POST', '/other', undefined],
    ['GET', '/ack/v1.abc', 'GET /ack/{token}'],
    ['POST', '/ack/v1.abc', 'POST /ack/{token}'],
    ['PUT', '/ack/v1.abc', undefined],
    ['GET', '/ack/', undefined],
    ['GET', '/ack/a/b', undefined],
  ])('%s %s -> %s (the stack routes POST|GET / and GET|POST /ack/{token} only)', (method, path, key) =>
    expect(routeKeyFor(method, path)).toBe(key),
  );

  it('sends /ack/{token} to the acknowledge function with the token as a path parameter, / to the receiver', () => {
    expect(routeFor('POST', '/ack/v1.x-y_z')).toEqual({
      routeKey: 'POST /ack/{token}',
      target: 'acknowledge',
      pathParameters: { token: 'v1.x-y_z' },
    });
    expect(routeFor('GET', '/')).toEqual({ routeKey: 'GET /', target: 'receiver' });
    const event = toEvent({ method: 'GET', url: '/ack/v1.abc?x=1', rawHeaders: [], body: Buffer.alloc(0), sourceIp: '127.0.0.1' });
    expect([event.routeKey, event.pathParameters, event.rawPath]).toEqual(['GET /ack/{token}', { token: 'v1.abc' }, '/ack/v1.abc']);
    expect(
      toEvent({ method: 'POST', url: '/', rawHeaders: [], body: Buffer.alloc(0), sourceIp: '127.0.0.1' }).pathParameters,
    ).toBeUndefined();
  });
});

describe('formatRequestTime', () => {
  it('formats like API Gateway, in UTC', () => {
    expect(formatRequestTime(new Date(Date.UTC(2024, 0, 5, 9, 3, 4)))).toBe('05/Jan/2024:09:03:04 +0000');
  });
});

describe('fromResult', () => {
  it('turns a structured result into status, lower-cased headers, and body', () => {
    const response = fromResult({
      statusCode: 401,
      headers: { 'Content-Type': 'application/json', 'X-Count': 3 },
      body: '{"message":"unauthorized"}',
    });
    expect(response.statusCode).toBe(401);
    expect(response.headers).toEqual({ 'content-type': 'application/json', 'x-count': '3' });
    expect(response.body.toString()).toBe('{"message":"unauthorized"}');
  });

  it('decodes base64 bodies and maps cookies to set-cookie', () => {
    const response = fromResult({
      statusCode: 200,
      body: Buffer.from([1, 2, 3]).toString('base64'),
      isBase64Encoded: true,
      cookies: ['a=1', 'b=2'],
    });
    expect([...response.body]).toEqual([1, 2, 3]);
    expect(response.headers['set-cookie']).toEqual(['a=1', 'b=2']);
  });

  it('infers 200 JSON for results without a statusCode, like payload format 2.0', () => {
    expect(fromResult({ ok: true })).toMatchObject({ statusCode: 200, headers: { 'content-type': 'application/json' } });
    expect(fromResult({ ok: true }).body.toString()).toBe('{"ok":true}');
    expect(fromResult('hello').body.toString()).toBe('hello');
    expect(fromResult({ statusCode: 204 })).toMatchObject({ statusCode: 204 });
  });

  it('answers 500 when the function returned nothing', () => {
    expect(fromResult(undefined)).toBe(GATEWAY_RESPONSES.internalError);
  });
});

describe('readBody', () => {
  it('reads the whole body under the cap', async () => {
    await expect(readBody(Readable.from([Buffer.from('ab'), Buffer.from('cd')]), 4)).resolves.toEqual({
      ok: true,
      body: Buffer.from('abcd'),
    });
  });

  it('stops at the cap without reading the rest', async () => {
    let produced = 0;
    const endless = new Readable({
      read() {
        produced += 1024;
        this.push(Buffer.alloc(1024));
      },
    });
    await expect(readBody(endless, 10 * 1024)).resolves.toEqual({ ok: false, reason: 'too-large' });
    expect(endless.isPaused()).toBe(true);
    expect(produced).toBeLessThan(100 * 1024);
    endless.destroy();
  });

  it('rejects when the stream fails', async () => {
    const broken = new Readable({
      read() {
        this.destroy(new Error('socket hang up'));
      },
    });
    await expect(readBody(broken, 10)).rejects.toThrow('socket hang up');
  });
});

describe('lambdaContext', () => {
  it('looks like a Lambda context with a deadline', () => {
    const context = lambdaContext('fn', 30_000, 'eu-west-1');
    expect(context.functionName).toBe('fn');
    expect(context.invokedFunctionArn).toBe('arn:aws:lambda:eu-west-1:000000000000:function:fn');
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(29_000);
    expect(context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
