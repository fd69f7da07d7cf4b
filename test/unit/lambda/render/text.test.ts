import {
  ascii,
  clean,
  fit,
  gsm,
  oneSegment,
  SMS_MAX,
  SMS_PART,
  SMS_UCS2_MAX,
  smsSize,
  SUBJECT_MAX,
  ucs2,
} from '../../../../lambda/render/text';

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

describe('SMS segments (3GPP TS 23.038)', () => {
  it('counts GSM-7 in septets, extension characters as two: 160 in one segment, then 153 a part', () => {
    expect(smsSize('a'.repeat(160))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(smsSize('a'.repeat(161))).toEqual({ encoding: 'GSM-7', units: 161, segments: 2 });
    expect(smsSize('a'.repeat(159) + '{')).toEqual({ encoding: 'GSM-7', units: 161, segments: 2 });
    expect(smsSize('a'.repeat(307)).segments).toBe(3);
  });

  it('counts anything outside GSM-7 as UCS-2: 70 in one segment, then 67 a part', () => {
    expect(smsSize('ж'.repeat(70))).toEqual({ encoding: 'UCS-2', units: 70, segments: 1 });
    expect(smsSize('ж'.repeat(71))).toEqual({ encoding: 'UCS-2', units: 71, segments: 2 });
    expect(smsSize('a'.repeat(134) + 'ж').segments).toBe(3); // one Cyrillic letter makes all 135 UCS-2
    expect(smsSize('`')).toMatchObject({ encoding: 'UCS-2' }); // the backtick is not in GSM-7
    expect([SMS_UCS2_MAX, SMS_PART['GSM-7'], SMS_PART['UCS-2']]).toEqual([70, 153, 67]);
  });

  it('ucs2() makes each character outside the Basic Multilingual Plane one "?"', () => {
    expect(ucs2('ok 🚀 ж €')).toBe('ok ? ж €');
  });

  it('oneSegment() keeps the first sentence (cut if need be) and adds later ones only whole', () => {
    expect(oneSegment(['Первое.', 'Второе.', 'Третье.'], 16)).toBe('Первое. Второе.');
    expect(oneSegment(['Первое.', 'Очень длинное второе.', 'Третье.'], 16)).toBe('Первое. Третье.');
    expect(oneSegment(['Очень длинное первое предложение.', 'Второе.'], 16)).toBe('Очень длинное...');
    expect(oneSegment([undefined, 'Второе\nс\u202Eпереносом.', ''], 70)).toBe('Второе спереносом.');
  });
});
