import { ascii, clean, fit, gsm, SMS_MAX, SUBJECT_MAX } from '../../../../lambda/render/text';

describe('fit', () => {
  it('returns what fits unchanged and cuts the rest to max code points with "..."', () => {
    expect(fit('abc', 3)).toBe('abc');
    expect(fit('abcdef', 5)).toBe('ab...');
  });

  it('never splits a surrogate pair', () => {
    const emoji = '😀'.repeat(10);
    expect(fit(emoji, 10)).toBe(emoji); // 20 UTF-16 units, 10 code points
    expect(fit(emoji, 5)).toBe('😀😀...');
  });
});

describe('clean', () => {
  it('makes one line: breaks become spaces, invisible characters go, whitespace collapses', () => {
    expect(clean('a\nb\u2028c\u2029d\te')).toBe('a b c d e');
    expect(clean('ad\u202Emin\u200B')).toBe('admin');
    expect(clean('  a   b  ')).toBe('a b');
    expect(clean('\uD800')).toBe('');
  });

  it('caps at max code points, however long the input', () => {
    expect(clean('x'.repeat(5_000_000), 10)).toBe('xxxxxxx...');
  });
});

describe('channel encodings', () => {
  it('ascii() leaves only printable ASCII', () => {
    expect(ascii('Prix: 5 € – ok')).toBe('Prix: 5 ? ? ok');
  });

  it('gsm() also replaces GSM-7 extension characters and the backtick', () => {
    expect(gsm('a[b]{c}\\d^e~f|g`h€')).toBe('a?b??c??d?e?f?g?h?');
  });

  it('states the SNS subject and one-segment SMS limits', () => {
    expect(SUBJECT_MAX).toBe(99);
    expect(SMS_MAX).toBe(160);
  });
});
