import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { readRequest } from '../../../lambda/request';
import { httpEvent } from '../../../local/fixtures';

const MAX = 1024;

describe('readRequest', () => {
  it('answers GET (and HEAD) as a health check', () => {
    expect(readRequest(httpEvent(undefined, { method: 'GET' }), MAX)).toEqual({ kind: 'health' });
    expect(readRequest(httpEvent(undefined, { method: 'HEAD' }), MAX)).toEqual({ kind: 'health' });
  });

  it('refuses other methods with 405', () => {
    const request = readRequest(httpEvent('{}', { method: 'PUT' }), MAX);
    expect(request).toMatchObject({ kind: 'refused', response: { statusCode: 405 } });
  });

  it('passes a plain body through', () => {
    expect(readRequest(httpEvent('{"callbacks":[]}'), MAX)).toEqual({ kind: 'callbacks', body: '{"callbacks":[]}' });
  });

  it('decodes a base64 body', () => {
    expect(readRequest(httpEvent('{"callbacks":["é"]}', { base64: true }), MAX)).toEqual({
      kind: 'callbacks',
      body: '{"callbacks":["é"]}',
    });
  });

  it('treats a missing body as empty (the parser then refuses it)', () => {
    expect(readRequest(httpEvent(undefined), MAX)).toEqual({ kind: 'callbacks', body: '' });
  });

  it.each([
    ['exactly the bound', 'a'.repeat(MAX), false, false],
    ['one byte over', 'a'.repeat(MAX + 1), false, true],
    ['over in bytes though not in characters', 'é'.repeat(MAX / 2 + 1), false, true],
    ['base64 of exactly the bound', 'a'.repeat(MAX), true, false],
    ['base64 of one byte over', 'a'.repeat(MAX + 1), true, true],
    ['base64 far over', 'a'.repeat(MAX * 50), true, true],
  ])('bounds the size: %s', (_name, body, base64, refused) => {
    const request = readRequest(httpEvent(body, { base64 }), MAX);
    if (refused) expect(request).toMatchObject({ kind: 'refused', response: { statusCode: 413 } });
    else expect(request).toEqual({ kind: 'callbacks', body });
  });

  describe('Content-Encoding', () => {
    const BODY = '{"callbacks":[{"callback_id":1,"type":"min_balance","account_name":"Тест 😀"}]}';
    const encoded = (bytes: Buffer, encoding: string) => {
      const event = httpEvent(bytes.toString('base64'), { base64: true });
      return {
        ...event,
        isBase64Encoded: true,
        body: bytes.toString('base64'),
        headers: { ...event.headers, 'content-encoding': encoding },
      };
    };

    it.each([
      ['gzip', gzipSync],
      ['x-gzip', gzipSync],
      ['deflate', deflateSync],
      ['deflate', deflateRawSync],
      ['br', brotliCompressSync],
      ['GZIP', gzipSync],
    ] as const)('decodes a %s body (never 400 "not JSON")', (encoding, compress) => {
      expect(readRequest(encoded(compress(Buffer.from(BODY)), encoding), MAX)).toEqual({ kind: 'callbacks', body: BODY });
    });

    it('passes identity through', () => {
      const event = httpEvent(BODY);
      expect(readRequest({ ...event, headers: { ...event.headers, 'content-encoding': 'identity' } }, MAX)).toEqual({
        kind: 'callbacks',
        body: BODY,
      });
    });

    it.each([
      ['a gzip bomb (10 MB of zeros in ~10 KB)', gzipSync(Buffer.alloc(10_000_000)), 'gzip'],
      ['a brotli bomb', brotliCompressSync(Buffer.alloc(10_000_000)), 'br'],
      ['a deflate bomb', deflateSync(Buffer.alloc(10_000_000)), 'deflate'],
      ['one byte over the bound', gzipSync(Buffer.alloc(MAX + 1, 'a')), 'gzip'],
    ])('answers 413 to %s, decoding no further than the bound', (_name, bytes, encoding) => {
      expect(readRequest(encoded(bytes, encoding), MAX)).toMatchObject({ kind: 'refused', response: { statusCode: 413 } });
    });

    it('accepts a gzip body of exactly the bound', () => {
      const body = 'a'.repeat(MAX);
      expect(readRequest(encoded(gzipSync(Buffer.from(body)), 'gzip'), MAX)).toEqual({ kind: 'callbacks', body });
    });

    it.each(['compress', 'zstd', 'gzip, br', 'x-unknown\r\nInjected: 1'])('answers 415 naming the encoding %p', (encoding) => {
      const request = readRequest(encoded(gzipSync(Buffer.from(BODY)), encoding), MAX);
      expect(request).toMatchObject({ kind: 'refused', response: { statusCode: 415 } });
      if (request.kind === 'refused') expect(JSON.parse(request.response.body as string).message).toContain('unsupported content-encoding');
    });

    it('answers 400 naming the coding when the data is not what the header says', () => {
      const request = readRequest(encoded(Buffer.from('not gzip at all'), 'gzip'), MAX);
      expect(request).toMatchObject({ kind: 'refused', response: { statusCode: 400 } });
      if (request.kind === 'refused') expect(request.response.body).toContain('not valid gzip');
    });
  });
});
