import { readRequest } from '../../lambda/request';
import { httpEvent } from '../support/fixtures';

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
});
