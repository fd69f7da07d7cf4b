import { amount, bool, bullets, date, inline, list, num, phone, prop, record, text } from '../../../../lambda/render/fields';
import { en } from '../../../../lambda/render/i18n';

const f = en.format;

describe('readers for hostile values', () => {
  it('record() accepts plain objects only', () => {
    expect(record({ a: 1 })).toEqual({ a: 1 });
    for (const value of [null, [], 'x', 1, undefined]) expect(record(value)).toBeUndefined();
  });

  it('prop() reads own properties only', () => {
    expect(prop({ a: 1 }, 'a')).toBe(1);
    expect(prop({}, 'constructor')).toBeUndefined();
    expect(prop({}, '__proto__')).toBeUndefined();
    expect(prop('abc', 'length')).toBeUndefined();
  });

  it('num() reads finite numbers and numeric strings, nothing else', () => {
    expect(num(4.87)).toBe(4.87);
    expect(num(' 12.5 ')).toBe(12.5);
    expect(num('1e3')).toBe(1000);
    for (const value of ['1e999', Number.NaN, Number.POSITIVE_INFINITY, 'lots', '', '1'.repeat(65), null, [4]]) {
      expect(num(value)).toBeUndefined();
    }
  });

  it('bool() reads the four spellings of each value', () => {
    for (const value of [true, 'true', 1, '1']) expect(bool(value)).toBe(true);
    for (const value of [false, 'false', 0, '0']) expect(bool(value)).toBe(false);
    for (const value of ['yes', 2, null, {}]) expect(bool(value)).toBeUndefined();
  });

  it('text() shows scalars only, cleaned and capped', () => {
    expect(text(' a\nb ')).toBe('a b');
    expect(text(true)).toBe('yes');
    expect(text(3)).toBe('3');
    expect(text({ secret: 'x' })).toBeUndefined();
    expect(text(['x'])).toBeUndefined();
    expect(text('\u200B')).toBeUndefined();
    expect(text('y'.repeat(100), 10)).toHaveLength(10);
  });

  it('list() reads arrays, comma-separated strings and single values, capped at 10', () => {
    expect(list([1, 2])).toEqual({ items: [1, 2], total: 2 });
    expect(list('a, b,,c')).toEqual({ items: ['a', 'b', 'c'], total: 3 });
    expect(list({ a: 1 })).toEqual({ items: [{ a: 1 }], total: 1 });
    expect(list(null)).toEqual({ items: [], total: 0 });
    expect(list(Array.from({ length: 25 }, (_, i) => i))).toMatchObject({ total: 25, items: { length: 10 } });
  });

  it('phone() gives E.164 for 7-15 digits, cleaned text otherwise', () => {
    expect(phone('16505550134')).toBe('+16505550134');
    expect(phone('+44 (20) 7946-0000')).toBe('+442079460000');
    expect(phone('ext. 12')).toBe('ext. 12');
    expect(phone({})).toBeUndefined();
  });

  it('amount() formats two decimals with a sanitized currency code', () => {
    expect(amount('12.5', 'usd', f)).toBe('12.50 USD');
    expect(amount(3, '<b>€</b>', f)).toBe('3.00 BB'); // letters only: the tags' letters stay, the rest goes
    expect(amount(3, undefined, f)).toBe('3.00');
    expect(amount('lots', 'USD', f)).toBeUndefined();
  });

  it('date() marks times as UTC and shows anything else as text', () => {
    expect(date('2025-04-02 00:00:00', f)).toBe('2025-04-02 00:00:00 UTC');
    expect(date('2025-04-02', f)).toBe('2025-04-02');
    expect(date('soon', f)).toBe('soon');
  });

  it('inline() and bullets() say how many more there are', () => {
    expect(inline(['a', 'b', 'c'], f, 2)).toBe('a, b and 1 more');
    const { lines, detail } = bullets(['x', {}, 'z'], f, (item) => text(item));
    expect(lines).toEqual(['- x', '- (no details)', '- z']);
    expect(detail).toBe('x +2 more');
  });
});
