import { parseEnvelope, parseItem, safeTypeName } from '../../../lambda/parse';
import { VECTOR } from '../../../local/fixtures';

const good = { callback_id: VECTOR.callbackId, account_id: 1234567, type: 'min_balance', hash: VECTOR.hash };

describe('parseEnvelope', () => {
  it('returns the items of {"callbacks":[...]}', () => {
    expect(parseEnvelope(JSON.stringify({ callbacks: [good, 1] }))).toEqual({ ok: true, items: [good, 1] });
  });

  it.each([
    ['non-JSON', 'callbacks=1', 'body is not JSON'],
    ['truncated JSON', '{"callbacks":[{"callback_id":1', 'body is not JSON'],
    ['empty body', '', 'body is not JSON'],
    ['a JSON array', '[]', 'body is not a JSON object'],
    ['null', 'null', 'body is not a JSON object'],
    ['callbacks as an object', '{"callbacks":{}}', '"callbacks" is not an array'],
    ['callbacks missing', '{"other":[]}', '"callbacks" is not an array'],
    ['callbacks empty', '{"callbacks":[]}', '"callbacks" is empty'],
  ])('refuses %s', (_name, body, reason) => {
    expect(parseEnvelope(body)).toEqual({ ok: false, reason });
  });

  it('does not let a __proto__ key pollute prototypes', () => {
    const result = parseEnvelope('{"__proto__":{"polluted":true},"callbacks":[{"__proto__":{"x":1}}]}');
    expect(result.ok).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('parseItem', () => {
  it('maps the wire fields and keeps the whole item', () => {
    const raw = { ...good, balance: 4.87 };
    expect(parseItem(raw)).toEqual({
      ok: true,
      item: { callbackId: VECTOR.callbackId, accountId: 1234567, type: 'min_balance', hash: VECTOR.hash, fields: raw },
    });
  });

  it.each([
    ['callback_id missing', { ...good, callback_id: undefined }, ['callback_id']],
    ['callback_id with a leading zero', { ...good, callback_id: '0987654' }, ['callback_id']],
    ['callback_id with a sign', { ...good, callback_id: '+987654' }, ['callback_id']],
    ['callback_id with spaces', { ...good, callback_id: ' 987654' }, ['callback_id']],
    ['callback_id in exponent form', { ...good, callback_id: '1e3' }, ['callback_id']],
    ['callback_id a decimal string', { ...good, callback_id: '987654.0' }, ['callback_id']],
    ['callback_id a string above 2^53', { ...good, callback_id: String(2 ** 53) }, ['callback_id']],
    ['callback_id a string of 17 digits', { ...good, callback_id: '12345678901234567' }, ['callback_id']],
    ['callback_id an empty string', { ...good, callback_id: '' }, ['callback_id']],
    ['callback_id negative', { ...good, callback_id: -1 }, ['callback_id']],
    ['callback_id a float', { ...good, callback_id: 1.5 }, ['callback_id']],
    ['callback_id above 2^53', { ...good, callback_id: 2 ** 53 }, ['callback_id']],
    ['account_id with a leading zero', { ...good, account_id: '01234567' }, ['account_id']],
    ['account_id with non-ASCII digits', { ...good, account_id: '１２３' }, ['account_id']],
    ['type missing', { ...good, type: undefined }, ['type']],
    ['type empty', { ...good, type: '' }, ['type']],
    ['type a number', { ...good, type: 5 }, ['type']],
    ['hash a number', { ...good, hash: 5 }, ['hash']],
    ['hash huge', { ...good, hash: 'a'.repeat(10_000) }, ['hash']],
    ['everything wrong', {}, ['callback_id', 'account_id', 'type', 'hash']],
  ])('refuses an item with %s, naming the fields', (_name, raw, fields) => {
    expect(parseItem(raw)).toMatchObject({ ok: false, fields });
  });

  it('accepts canonical decimal-string ids as the same numbers (the hash covers the same digits)', () => {
    const raw = { ...good, callback_id: String(VECTOR.callbackId), account_id: '1234567' };
    expect(parseItem(raw)).toEqual({
      ok: true,
      item: { callbackId: VECTOR.callbackId, accountId: 1234567, type: 'min_balance', hash: VECTOR.hash, fields: raw },
    });
    expect(parseItem({ ...good, callback_id: '0' })).toMatchObject({ ok: true, item: { callbackId: 0 } });
    expect(parseItem({ ...good, callback_id: String(2 ** 53 - 1) })).toMatchObject({ ok: true, item: { callbackId: 2 ** 53 - 1 } });
  });

  it.each([null, 1, 'x', [], true])('refuses a non-object item %p', (raw) => {
    expect(parseItem(raw)).toEqual({ ok: false, fields: ['item'] });
  });

  it('keeps the callback id of a malformed item for the log when it is usable', () => {
    expect(parseItem({ ...good, hash: undefined })).toEqual({ ok: false, fields: ['hash'], callbackId: VECTOR.callbackId });
  });
});

describe('safeTypeName', () => {
  it('keeps ordinary names and neutralises anything else', () => {
    expect(safeTypeName('min_balance')).toBe('min_balance');
    expect(safeTypeName('a\nb"c\uD800')).toBe('a_b_c_');
    expect(safeTypeName('x'.repeat(500))).toHaveLength(64);
    expect(safeTypeName(undefined)).toBe('unnamed');
    expect(safeTypeName('')).toBe('unnamed');
  });
});
