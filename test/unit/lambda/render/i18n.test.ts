/**
 * Alerts in English and Russian (issue 16): every known type in both languages within every channel's
 * limits, no English left in a Russian text, the two message catalogues with the same keys, the language
 * each callback gets, and a few readable Russian alerts.
 */
import fc from 'fast-check';
import type { Alert } from '../../../../lambda/model';
import { KNOWN_TYPES, type Language, languageOf, renderAlert, SMOKE_TEST_ACCOUNT_NAME } from '../../../../lambda/render';
import { MESSAGES } from '../../../../lambda/render/i18n';
import { SAMPLE_DATA } from '../../../../lambda/render/samples';
import { smsSize } from '../../../../lambda/render/text';
import {
  ACCOUNT_FIGURES,
  CONSOLE,
  DATA_KEYS,
  expectNoSecrets,
  expectValid,
  expectValidRussian,
  FIXTURES,
  item,
  OPTIONS,
  RENDER_CASES,
  renderIn,
  untranslated,
} from './support';

/** What an email shows of a value in Russian: amounts with a decimal comma and grouped thousands, dates DD.MM.YYYY. */
function inRussian(shown: string): string {
  return shown
    .replace(/(-?\d+)\.(\d{2})(?= [A-Z]{3}|$)/g, (_, whole: string, cents: string) => `${Number(whole).toLocaleString('ru')},${cents}`)
    .replace(/(\d{4})-(\d{2})-(\d{2})/g, '$3.$2.$1');
}

describe('every type in both languages', () => {
  it.each(RENDER_CASES)('%s', (_: string, type: string, data: unknown, overrides: Record<string, unknown>) => {
    const callback = item(type, data, overrides);
    const english = renderIn(callback, 'en');
    const russian = renderIn(callback, 'ru');
    expectValid(english);
    expectValidRussian(russian);
    expectNoSecrets(russian);
    expect(smsSize(english.sms)).toMatchObject({ encoding: 'GSM-7', segments: 1 });
    // SNS subjects are ASCII: the Russian alert keeps the English subject, which says what happened.
    expect(russian.subject).toBe(english.subject);
    expect(russian).toMatchObject({ type: english.type, severity: english.severity, callbackId: english.callbackId });
    // No English left in the Russian text, besides names, terms and the callback's own data.
    expect(untranslated(russian.email, callback.fields)).toEqual([]);
    expect(untranslated(russian.sms, callback.fields)).toEqual([]);
    expect(Buffer.byteLength(russian.email, 'utf8')).toBeLessThan(20_000);
  });

  it.each(Object.entries(FIXTURES))('%s shows the same values in Russian', (type, { data, shows }) => {
    const russian = renderIn(item(type, data), 'ru');
    // Wording is per language; values (numbers, ids, amounts, dates) must all be there, in Russian form.
    const values = shows.filter((value) => /[\d_.]/.test(value) && !/\b[a-z]{3,}\b/.test(value));
    for (const shown of values) expect(russian.email).toContain(inRussian(shown));
    expect(russian.email).toContain('Баланс: 4,87 USD');
    expect(russian.email).toContain('«acme» (ID 1234567)');
  });

  it('the untranslated-English check finds English, and only English', () => {
    const english = renderIn(item('min_balance', {}), 'en');
    expect(untranslated(english.email, {})).toEqual(
      expect.arrayContaining([expect.stringContaining('The account balance has fallen below the notification threshold')]),
    );
    expect(untranslated('Баланс низкий. Top up the balance.', {})).toEqual(['Top up the balance']);
    expect(untranslated('Сбой SIP-регистрации в Voximplant API, см. https://manage.voximplant.com/x', {})).toEqual([]);
    expect(untranslated('Подписки: Phone number rent', { details: 'Phone number rent' })).toEqual([]);
  });

  it('prints the largest Russian email (bytes), for the docs', () => {
    const sizes = RENDER_CASES.map(
      ([name, type, data, overrides]) => [name, Buffer.byteLength(renderIn(item(type, data, overrides), 'ru').email)] as const,
    );
    const [name, bytes] = [...sizes].sort((a, b) => b[1] - a[1])[0];
    console.log(`largest Russian email: ${bytes} bytes (${name})`);
    expect(bytes).toBeGreaterThan(0);
  });
});

describe('Russian SMS: one UCS-2 segment', () => {
  const sms = (type: string, data: unknown, overrides?: Record<string, unknown>) => renderIn(item(type, data, overrides), 'ru').sms;

  it('keeps what happened, the numbers, the action and the account when they fit', () => {
    expect(sms('min_balance', {})).toBe('Voximplant: низкий баланс (4,87 USD). Пополните баланс. Аккаунт acme.');
  });

  it('leaves out the account first, then the action, never half a sentence', () => {
    const name = 'a'.repeat(30);
    expect(sms('min_balance', {}, { account_name: name })).toBe('Voximplant: низкий баланс (4,87 USD). Пополните баланс.');
    expect(sms('next_charge_alert', { required_money: 30.5, insufficient_funds_amount: 25.63 })).toBe(
      'Voximplant: нечем оплатить продление (не хватает 25,63 USD).',
    );
  });

  it('shortens a long detail so what happened still fits', () => {
    const text = sms('subscription_is_frozen', { subscriptions: [{ name: 'x'.repeat(60) }] });
    expect(text).toMatch(/^Voximplant: подписка заморожена \(x+\.\.\.\)\.$/);
    expect(text.length).toBeLessThanOrEqual(70);
  });

  it('makes characters outside UCS-2 (emoji) one "?" each', () => {
    expect(sms('min_balance', {}, { account_name: '🚀ab' })).toBe('Voximplant: низкий баланс (4,87 USD). Пополните баланс. Аккаунт ?ab.');
  });
});

describe('Russian conventions', () => {
  it('writes amounts with a decimal comma and no-break spaces between thousands, as Intl does on Node 22 and 24', () => {
    const { format } = MESSAGES.ru;
    expect(format.decimal(1000)).toBe('1\u00A0000,00');
    expect(format.decimal(-1234567.891)).toBe('-1\u00A0234\u00A0567,89');
    expect(format.decimal(4.87)).toBe('4,87');
    const alert = renderIn(item('wire_transfer', { amount: 1000 }), 'ru');
    expect(alert.email).toContain('Сумма: 1\u00A0000,00 USD');
    expect(alert.sms).toContain('(1 000,00 USD)'); // the SMS's whitespace is collapsed to plain spaces
  });

  it('writes dates DD.MM.YYYY and keeps UTC times', () => {
    const alert = renderIn(item('account_document_verified', { update_time: '2025-03-01 10:20:30', account_document_id: 1 }), 'ru');
    expect(alert.email).toContain('Обновлён: 01.03.2025 10:20:30 UTC');
    expect(renderIn(item('expiring_callerid', { expiration_date: '2025-05-01' }), 'ru').sms).toContain('(01.05.2025)');
    expect(renderIn(item('expiring_callerid', { expiration_date: 'soon' }), 'ru').email).toContain('Истекает: soon');
  });

  it.each([
    [1, 'через 1 день'],
    [2, 'через 2 дня'],
    [5, 'через 5 дней'],
    [11, 'через 11 дней'],
    [21, 'через 21 день'],
    [22, 'через 22 дня'],
    ['abc', 'осталось дней: abc'],
  ])('counts %p days in the right form', (days, shown) => {
    expect(renderIn(item('expiring_agreement', { until_expiration: days }), 'ru').sms).toContain(`(${shown})`);
  });

  it.each([
    [1, '1 задача'],
    [3, '3 задачи'],
    [12, '12 задач'],
  ])('counts %p tasks in the right form', (count, shown) => {
    expect(renderIn(item('batch_task_cancelling_completed', { cancelled_tasks_number: count }), 'ru').sms).toContain(`(${shown})`);
  });
});

describe('message catalogues', () => {
  /** Arguments for the functions that take more than text. */
  const ARGS: Record<string, unknown[]> = { '.format.decimal': [7], '.format.date': ['2025-01-02', '10:00'] };

  /** Every leaf of a catalogue as [path, value], calling functions with sample arguments. */
  function leaves(value: unknown, path = ''): Array<[string, unknown]> {
    if (typeof value === 'function') {
      const args = ARGS[path] ?? Array.from({ length: value.length }, (_, i) => (i === 0 ? '7' : 'x'));
      return [[path, (value as (...a: unknown[]) => unknown)(...args)]];
    }
    if (typeof value === 'object' && value !== null)
      return Object.entries(value).flatMap(([key, entry]) => leaves(entry, `${path}.${key}`));
    return [[path, value]];
  }

  it('Russian has exactly the keys English has, each with words', () => {
    const en = leaves(MESSAGES.en);
    const ru = leaves(MESSAGES.ru);
    expect(ru.map(([path]) => path)).toEqual(en.map(([path]) => path));
    for (const [path, value] of ru) {
      if (path === '.smsEncoding') continue;
      expect([path, typeof value === 'string' && value.trim() !== '']).toEqual([path, true]);
    }
  });

  it('every Russian sentence is Russian', () => {
    for (const [path, value] of leaves(MESSAGES.ru)) {
      // Formats, and messages that only frame values (`«name» (ID 7)`, a date), have no words to translate.
      if (
        typeof value !== 'string' ||
        ['.smsEncoding', '.alert.account', '.alert.chatTitle', '.callerIds.on'].includes(path) ||
        path.startsWith('.format.')
      )
        continue;
      expect([path, /\p{Script=Cyrillic}/u.test(value)]).toEqual([path, true]);
      expect([path, untranslated(value, {})]).toEqual([path, []]);
    }
  });
});

describe('which language', () => {
  const LONG = 'ru'.repeat(500);
  it.each<[unknown, Language]>([
    ['ru', 'ru'],
    ['en', 'en'],
    [undefined, 'en'],
    [null, 'en'],
    ['', 'en'],
    ['RU', 'en'],
    ['Ru', 'en'],
    ['ru-RU', 'en'],
    ['ru_RU', 'en'],
    [' ru', 'en'],
    ['ru\u0000', 'en'],
    ['r\u0443', 'en'], // Cyrillic "у" that looks like a Latin "u"
    ['de', 'en'],
    [LONG, 'en'],
    [1, 'en'],
    [true, 'en'],
    [['ru'], 'en'],
    [{ ru: true }, 'en'],
  ])('language_code %p renders in %s', (code, language) => {
    expect(languageOf(code)).toBe(language);
    expect(languageOf(code, 'auto')).toBe(language);
    const alert = renderAlert(item('min_balance', {}, { language_code: code }), OPTIONS);
    const expected = renderIn(item('min_balance', {}), language);
    expect(alert).toEqual(expected);
  });

  it.each<[unknown, Language]>([
    ['ru', 'en'],
    ['en', 'en'],
    [undefined, 'en'],
    ['RU', 'en'],
  ])('alertLanguage=en renders language_code %p in English', (code, language) => {
    expect(languageOf(code, 'en')).toBe(language);
  });

  it.each([['en'], ['ru'], [undefined], ['RU'], [42]])('alertLanguage=ru renders language_code %p in Russian', (code) => {
    expect(languageOf(code, 'ru')).toBe('ru');
    expect(renderAlert(item('min_balance', {}, { language_code: code }), { ...OPTIONS, alertLanguage: 'ru' }).sms).toMatch(
      /^Voximplant: низкий/,
    );
  });

  it('treats a setting that is not one of the three as auto', () => {
    expect(languageOf('ru', 'RU' as never)).toBe('ru');
    expect(languageOf('en', 'constructor' as never)).toBe('en');
  });
});

describe('properties', () => {
  const anyString = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 200 });
  const anyJson = fc.jsonValue({ maxDepth: 4 });

  it('a Russian alert meets every bound for any data of any known type', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...KNOWN_TYPES),
        fc.dictionary(fc.constantFrom(...DATA_KEYS), anyJson),
        fc.oneof(anyString, anyJson),
        anyJson,
        (type, data, name, balance) => {
          for (const shape of [data, { [type]: data }]) {
            const alert = renderIn(item(type, shape, { account_name: name, balance, currency: 'RUR' }), 'ru');
            expectValidRussian(alert);
            expect(alert.subject).toBe(renderIn(item(type, shape, { account_name: name, balance, currency: 'RUR' }), 'en').subject);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('readable Russian alerts', () => {
  const shown = (alert: Alert) =>
    `Subject: ${alert.subject}\nSMS (${smsSize(alert.sms).encoding}, ${alert.sms.length} characters): ${alert.sms}\n\n${alert.email}`;

  it.each([
    ['min_balance', { is_min_credit: false, is_repeated: false }],
    ['min_balance', { is_min_credit: true, is_repeated: true }],
    ['next_charge_alert', SAMPLE_DATA.next_charge_alert],
    ['subscription_is_frozen', SAMPLE_DATA.subscription_is_frozen],
    ['sip_registration_fail', SAMPLE_DATA.sip_registration_fail],
    ['brand_new_type', {}],
  ])('%s %j', (type, data) => {
    const alert = renderIn(item(type, data), 'ru');
    expect(alert.email).toContain(CONSOLE);
    expect(shown(alert)).toMatchSnapshot();
  });

  it('a smoke test says so in Russian', () => {
    const alert = renderIn(item('min_balance', {}, { account_name: SMOKE_TEST_ACCOUNT_NAME }), 'ru');
    expect(alert.subject).toMatch(/^TEST: Voximplant: balance low on TEST sent by send-callback/);
    expect(alert.sms).toMatch(/^ТЕСТ, не тревога: Voximplant: низкий баланс \(4,87 USD\)\./);
    expect(alert.email.split('\n')[0]).toBe(
      `${SMOKE_TEST_ACCOUNT_NAME}: это проверка, а не настоящее уведомление, ничего делать не нужно. Она показывает, что уведомления до вас доходят.`,
    );
  });
});

describe('a confirmed balance in Russian', () => {
  const confirmations = [
    ['confirmed', { kind: 'confirmed', ...ACCOUNT_FIGURES }],
    ['confirmed, frozen, with credit', { kind: 'confirmed', ...ACCOUNT_FIGURES, frozen: true, creditLimit: 50 }],
    ['unconfirmed: timed out', { kind: 'unconfirmed', reason: 'timed-out' }],
    ['unconfirmed: refused', { kind: 'unconfirmed', reason: 'refused' }],
    ['unconfirmed: unavailable', { kind: 'unconfirmed', reason: 'unavailable' }],
    ['unconfirmed: no time', { kind: 'unconfirmed', reason: 'no-time' }],
  ] as const;
  it.each(confirmations)('%s: within the Russian limits, in Russian, the subject the English one', (_, confirmation) => {
    for (const type of ['min_balance', 'account_is_frozen', 'next_charge_alert'] as const) {
      const data = FIXTURES[type].data;
      const ru = renderAlert(item(type, data, { language_code: 'ru' }), { ...OPTIONS, confirmation });
      const english = renderAlert(item(type, data), { ...OPTIONS, confirmation });
      expectValidRussian(ru);
      expect(ru.subject).toBe(english.subject);
      expect(untranslated(ru.email, data)).toEqual([]);
      expect(untranslated(ru.sms, data)).toEqual([]);
      expect(ru.email).toContain(confirmation.kind === 'confirmed' ? 'Подтверждённый баланс: 4,80 USD' : 'не подтверждён');
    }
  });

  it('the SMS keeps the confirmation right after what happened', () => {
    const ru = renderAlert(item('min_balance', FIXTURES.min_balance.data, { language_code: 'ru' }), {
      ...OPTIONS,
      confirmation: { kind: 'confirmed', ...ACCOUNT_FIGURES },
    });
    expect(ru.sms).toMatch(/^Voximplant: [^.]+\. Проверено: 4,80 USD в 12:03 UTC\./);
  });
});
