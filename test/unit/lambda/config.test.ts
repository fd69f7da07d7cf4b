/** lambda/config.ts: type-name validation against the catalogue, and the edit distance behind "did you mean". */
import {
  closestName,
  DEFAULTS,
  editDistance,
  parseAlertLanguage,
  parseAlertTypes,
  typeNameProblem,
  unknownTypeNames,
} from '../../../lambda/config';
import { testConfig } from '../../support/fakes';
import { KNOWN_TYPES } from '../../../lambda/render';

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['', 'abc', 3],
    ['abc', '', 3],
    ['min_balance', 'min_balance', 0],
    ['min_balanse', 'min_balance', 1],
    ['min_balnce', 'min_balance', 1],
    ['kitten', 'sitting', 3],
    ['flaw', 'lawn', 2],
  ])('%j -> %j is %i', (a, b, expected) => {
    expect(editDistance(a, b)).toBe(expected);
    expect(editDistance(b, a)).toBe(expected);
  });
});

describe('type names', () => {
  it('suggests the closest known type', () => {
    expect(closestName('min_balanse')).toBe('min_balance');
    expect(closestName('card_expire')).toBe('card_expired');
    expect(closestName('account_frozen')).toBe('account_is_frozen');
  });

  it('accepts every catalogue name and *, and names each unknown one', () => {
    expect(unknownTypeNames(KNOWN_TYPES)).toEqual([]);
    expect(unknownTypeNames('*')).toEqual([]);
    expect(typeNameProblem('min_balance')).toBeUndefined();
    expect(unknownTypeNames(parseAlertTypes('nonsense,min_balance,min_balanse'))).toEqual([
      '"nonsense" is not a known Voximplant callback type; did you mean ' + closestName('nonsense') + '?',
      '"min_balanse" is not a known Voximplant callback type; did you mean min_balance?',
    ]);
  });
});

describe('ALERT_LANGUAGE', () => {
  it('defaults to auto and reads en, ru and auto', () => {
    expect(DEFAULTS.alertLanguage).toBe('auto');
    expect(testConfig().alertLanguage).toBe('auto');
    expect(testConfig({ ALERT_LANGUAGE: '' }).alertLanguage).toBe('auto');
    for (const language of ['auto', 'en', 'ru'] as const) expect(testConfig({ ALERT_LANGUAGE: language }).alertLanguage).toBe(language);
  });

  it.each(['RU', 'ru-RU', 'russian', 'ru ', 'x'.repeat(1000)])('stops on %p, naming the choices', (value) => {
    expect(() => testConfig({ ALERT_LANGUAGE: value })).toThrow(`ALERT_LANGUAGE must be one of auto|en|ru`);
    expect(() => parseAlertLanguage(value, 'alertLanguage')).toThrow(/^alertLanguage must be one of/);
  });
});
