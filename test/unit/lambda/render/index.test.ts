import fc from 'fast-check';
import { parkable } from '../../../../lambda/pipeline';
import { KNOWN_TYPES, renderAlert, severityOf, SMOKE_TEST_ACCOUNT_NAME } from '../../../../lambda/render';
import {
  CONSOLE,
  DATA_KEYS,
  expectNoSecrets,
  expectValid,
  FIXTURES,
  HASH,
  item,
  OPTIONS,
  PRIVATE,
  record,
  render,
  SMS_BODY,
  SMS_SOURCE,
} from './support';

describe('renderAlert for every known type', () => {
  it.each(Object.entries(FIXTURES))('%s', (type, { data, shows }) => {
    const alert = render(item(type, data));
    expectValid(alert);
    expectNoSecrets(alert);
    expect(alert).toMatchObject({ type, accountId: 1234567, callbackId: 987654, severity: severityOf(type) });
    expect(alert.email).toContain('"acme" (id 1234567)');
    expect(alert.subject).toContain('acme');
    expect(alert.sms).toContain('acme');
    for (const value of shows) expect(alert.email).toContain(value);
    // The balance is shown whenever the callback carries one.
    expect(alert.email).toContain('Balance: 4.87 USD');
  });

  it('renders every type even with no data at all', () => {
    for (const type of KNOWN_TYPES) {
      const alert = render(item(type, undefined, { balance: undefined, currency: undefined, account_name: undefined }));
      expectValid(alert);
      expect(alert.email).toContain('id 1234567');
    }
  });
});

describe('min_balance', () => {
  const minBalance = (data: unknown, overrides: Record<string, unknown> = {}) => render(item('min_balance', data, overrides));

  it('says what happened, the balance, what to do, and where', () => {
    const alert = minBalance({ is_min_credit: false, is_repeated: false });
    expect(alert.subject).toBe('Voximplant: balance low on acme (4.87 USD)');
    expect(alert.sms).toBe('Voximplant: balance low (4.87 USD). Top up now before calls stop. Account acme (1234567).');
    expect(alert.email).toContain('below the notification threshold');
    expect(alert.email).toContain('Balance: 4.87 USD');
    expect(alert.email).toContain('What to do next: Top up the balance in the control panel before calls stop.');
    expect(alert.email).toContain(`Control panel: ${CONSOLE}`);
    expect(alert.email).not.toContain('reminder');
    expect(alert.severity).toBe('critical');
  });

  it('puts what and the balance first in the SMS', () => {
    expect(minBalance({}).sms.startsWith('Voximplant: balance low (4.87 USD).')).toBe(true);
  });

  it('distinguishes a reminder', () => {
    const alert = minBalance({ is_min_credit: false, is_repeated: true });
    expect(alert.subject).toBe('Voximplant: balance still low on acme (4.87 USD)');
    expect(alert.email).toContain('This is a reminder');
    expect(alert.email).not.toMatch(/Reminder:|Credit limit reached:/);
  });

  it('distinguishes the credit limit', () => {
    const alert = minBalance({ is_min_credit: true, is_repeated: false });
    expect(alert.subject).toBe('Voximplant: credit limit reached on acme (4.87 USD)');
    expect(alert.sms).toMatch(/^Voximplant: credit limit reached \(4\.87 USD\)/);
    expect(alert.email).toContain('credit limit');
    expect(alert.email).not.toMatch(/Reminder:|Credit limit reached:/);
  });

  it('leaves out what is not the case instead of listing internal flags as "no"', () => {
    expect(minBalance({ is_min_credit: false, is_repeated: false }).email).not.toMatch(/: no\b|Credit limit|Reminder/);
  });

  it('reads booleans and balances sent as strings', () => {
    const alert = minBalance({ is_repeated: 'true' }, { balance: '-3.2', currency: 'eur' });
    expect(alert.subject).toBe('Voximplant: balance still low on acme (-3.20 EUR)');
  });

  it.each([['lots'], [Number.NaN], [Number.POSITIVE_INFINITY], ['1e999'], [null], [{ value: 4 }], [[4.87]], [undefined]])(
    'renders a balance of %p as unknown',
    (balance) => {
      const alert = minBalance({}, { balance });
      expectValid(alert);
      expect(alert.email).toContain('Balance: unknown');
      expect(alert.subject).toContain('(unknown');
    },
  );

  it('omits a currency that is not a code rather than printing junk', () => {
    expect(minBalance({}, { currency: 42 }).email).toContain('Balance: 4.87\n');
    expect(minBalance({}, { currency: 'U$D<script>' }).email).not.toContain('<');
  });
});

describe('privacy', () => {
  it('never shows owner details, the hash, or an inbound SMS body or sender, whatever the type', () => {
    // Plant the private values in the data of every type too, in both shapes: a renderer must not pick them up.
    const planted = { ...PRIVATE, hash: HASH, source_number: SMS_SOURCE, sms_body: SMS_BODY, comment: SMS_BODY };
    for (const type of [...KNOWN_TYPES, 'brand_new_type']) {
      const fixture = (FIXTURES as Readonly<Record<string, { data?: unknown }>>)[type]?.data;
      const data = { ...planted, ...(typeof fixture === 'object' ? fixture : {}), [type]: planted };
      const alert = render(item(type, data));
      expectNoSecrets(alert);
    }
  });

  it('says an inbound SMS arrived on the customer number only', () => {
    for (const data of [
      { sms_inbound: { source_number: SMS_SOURCE, destination_number: '15550001111', sms_body: SMS_BODY } },
      { source_number: SMS_SOURCE, destination_number: '15550001111', sms_body: SMS_BODY },
    ]) {
      const alert = render(item('sms_inbound', data));
      expect(alert.email).toContain('An inbound SMS arrived on your Voximplant number');
      expect(alert.email).toContain('15550001111');
      expect(alert.sms).toContain('15550001111');
      expectNoSecrets(alert);
    }
  });
});

describe('wording', () => {
  it('says "expired" for an expired certificate and "expires" for one that will', () => {
    const cert = { certificates: [{ cert_file_name: 'push.p12', expiration_date: '2025-01-31 00:00:00' }] };
    expect(render(item('expired_certificates', cert)).email).toContain('push.p12 (expired 2025-01-31 00:00:00 UTC)');
    expect(render(item('expired_certificates', cert)).email).not.toContain('expires');
    expect(render(item('expiring_certificates', cert)).email).toContain('push.p12 (expires 2025-01-31 00:00:00 UTC)');
  });

  it('does not repeat the status in a document subject that already says it', () => {
    const verified = render(item('account_document_verified', { account_document_id: 1, account_document_status: 'VERIFIED' }));
    expect(verified.subject).toBe('Voximplant: document verified on acme');
    expect(verified.email).toContain('Status: VERIFIED');
    const changed = render(item('account_document_status_updated', { account_document_status: 'REJECTED' }));
    expect(changed.subject).toBe('Voximplant: document status changed on acme (REJECTED)');
  });

  it('shows every phone number in E.164, whatever format it arrived in', () => {
    expect(render(item('sms_inbound', { destination_number: '16505550134' })).email).toContain('Your number: +16505550134');
    expect(render(item('phone_number_activation_status_changed', { phone_number: '+1 (650) 555-0134' })).email).toContain(
      'Phone number: +16505550134',
    );
    const callerIds = render(item('expiring_callerid', { callerids: ['16505550134', '+16505550135'] })).email;
    expect(callerIds).toContain('- +16505550134\n- +16505550135\n');
    const subscription = { subscriptions: [{ type: 'phone_number', name: '1 650 555 0134' }] };
    expect(render(item('subscription_is_detached', subscription)).subject).toContain('(+16505550134)');
    // Not a number: shown as sent (cleaned), never forced into one.
    expect(render(item('sms_inbound', { destination_number: 'short code 1234' })).email).toContain('Your number: short code 1234');
    expect(render(item('sms_inbound', { destination_number: '0123' })).email).toContain('Your number: 0123');
  });

  it('marks a smoke test sent by send-callback as a test everywhere a person looks first', () => {
    const alert = render(item('min_balance', {}, { account_name: SMOKE_TEST_ACCOUNT_NAME }));
    expect(alert.subject).toMatch(/^TEST: Voximplant: balance low on TEST sent by send-callback/);
    expect(alert.sms).toMatch(/^TEST, not real: Voximplant: balance low/);
    expect(alert.email.split('\n')[0]).toBe(
      'TEST sent by send-callback: not a real alert, nothing needs doing. It shows the alerts reach you.',
    );
    expect(alert.subject.length).toBeLessThanOrEqual(99);
    expect(alert.sms.length).toBeLessThanOrEqual(160);
    expect(render(item('min_balance', {})).subject).not.toContain('TEST');
  });
});

describe('hostile shapes', () => {
  it.each([
    ['sms_inbound', { destination_number: '15550001111' }, '+15550001111'],
    ['transcription_complete', { call_session_history_id: 880011 }, '880011'],
    ['phone_number_activation_status_changed', { phone_number: '15550002222' }, '+15550002222'],
    ['next_charge_alert', { required_money: 30.5 }, '30.50 USD'],
    ['sip_registration_fail', { sip_registrations: [{ sip_registration_id: 4411, status_code: 503 }] }, 'status 503'],
    ['min_balance', { is_min_credit: true }, 'reached its credit limit'],
  ])('%s renders both the flat and the nested shape', (type, data, shown) => {
    expect(render(item(type, data)).email).toContain(shown);
    expect(render(item(type, { [type]: data })).email).toContain(shown);
  });

  it('accepts a comma-separated string where a list is expected', () => {
    const alert = render(item('expiring_callerid', { callerids: '+15550100, +15550101,,', expiration_date: '2025-05-01' }));
    expect(alert.email).toContain('- +15550100\n- +15550101\n');
  });

  it('accepts a scalar where a list is expected', () => {
    expect(render(item('expired_agreement', { document_ids: 9001 })).email).toContain('- 9001');
    expect(render(item('sip_registration_fail', { sip_registrations: 4411 })).email).toContain('- id 4411');
    const single = render(item('subscription_is_frozen', { subscriptions: { name: '+1 555 0100', cost: '3' } }));
    expect(single.email).toContain('- +1 555 0100 (cost 3.00 USD)');
    expect(single.subject).toBe('Voximplant: subscription frozen on acme (+1 555 0100)');
  });

  it('puts short key numbers in subject and SMS, and leaves out unknown ones', () => {
    const sip = render(item('sip_registration_fail', FIXTURES.sip_registration_fail.data));
    expect(sip.subject).toBe('Voximplant: SIP registration failed on acme (id 4411, status 403)');
    expect(sip.sms).toMatch(/^Voximplant: SIP registration failed \(id 4411, status 403\)\./);
    const charge = render(item('next_charge_alert', FIXTURES.next_charge_alert.data));
    expect(charge.subject).toBe('Voximplant: next charge cannot be paid on acme (needs 30.50 USD, short 25.63 USD)');
    expect(charge.sms).toContain('needs 30.50 USD, short 25.63 USD');
    const payment = render(item('card_payment', FIXTURES.card_payment.data));
    expect(payment.subject).toBe('Voximplant: payment received on acme (25.00 USD)');
    expect(render(item('card_payment', { amount: 'n/a' })).subject).toBe('Voximplant: payment received on acme');
    expect(render(item('card_payment', { amount: 'n/a' })).email).toContain('Amount: unknown');
  });

  it('caps long lists with "and N more"', () => {
    const subscriptions = Array.from({ length: 25 }, (_, i) => ({ name: `number-${i}`, cost: 1 }));
    const alert = render(item('subscription_is_frozen', { subscriptions }));
    expect(alert.email).toContain('number-9');
    expect(alert.email).not.toContain('number-10');
    expect(alert.email).toContain('- and 15 more');
    expect(alert.subject).toContain('+24 more');
    expectValid(alert);
  });

  it('survives wrong types everywhere', () => {
    const odd = [null, 42, 'text', true, [], [null, [1]], { a: { b: 1 } }];
    for (const type of KNOWN_TYPES) {
      for (const value of odd) {
        const keys = ['subscriptions', 'sip_registrations', 'certificates', 'amount', 'callerids', 'success', 'is_repeated'];
        const data = Object.fromEntries(keys.map((key) => [key, value]));
        expectValid(render(item(type, value)));
        expectValid(render(item(type, data, { account_name: value, balance: value, currency: value })));
        expectValid(render(item(type, { [type]: value })));
      }
    }
  });

  it('caps huge values', () => {
    const huge = 'x'.repeat(1_000_000);
    const alert = render(
      item('subscription_is_frozen', { subscriptions: [{ name: huge, type: huge, details: huge, cost: huge }] }, { account_name: huge }),
    );
    expectValid(alert);
    for (const line of alert.email.split('\n')) expect(line.length).toBeLessThan(400);
    expect(alert.email).toContain('x...');
  });

  it('keeps unicode, emoji and control characters in the account name harmless', () => {
    const name = 'Acme\u0000 🚀\r\nBcc: evil@example.com [x]{y}~|^\\`é\u202Egnp.exe\u2028end';
    const alert = render(item('min_balance', {}, { account_name: name }));
    expectValid(alert);
    expect(alert.subject).not.toMatch(/[\r\n]/);
    expect(alert.sms).toContain('4.87 USD');
    expect(alert.sms).toMatch(/^Voximplant: balance low \(4\.87 USD\)\./);
    // One '?' per character, not per UTF-16 unit: the emoji is one character.
    expect(alert.sms).toContain('Acme ? Bcc');
    // Email keeps readable unicode, drops what breaks lines or hides text.
    expect(alert.email).toContain('Account: "Acme 🚀 Bcc: evil@example.com [x]{y}~|^\\`égnp.exe end" (id 1234567)');
  });

  it('truncates a long account name but keeps the balance in subject and SMS', () => {
    const alert = render(item('min_balance', {}, { account_name: 'a-very-long-account-name-'.repeat(10) }));
    expectValid(alert);
    expect(alert.subject).toContain('... (4.87 USD)');
    expect(alert.sms).toContain('(4.87 USD)');
  });

  it('renders an unknown type generically, with a sanitized name and none of its data', () => {
    const type = 'Evil<Type>\n💥; rm -rf /';
    const alert = render(item(type, { secret_field: 'do-not-show-me' }));
    expectValid(alert);
    expect(alert.severity).toBe('info');
    const name = 'Evil_Type_____rm__rf__';
    expect(alert.type).toBe(name);
    expect(alert.email).toContain(`type "${name}"`);
    expect(alert.email).toContain(`type ${name},`);
    expect(alert.subject).toBe(`Voximplant: callback ${name} on acme`);
    expect(alert.email).toContain('Balance: 4.87 USD');
    expect(`${alert.email}${alert.sms}${alert.subject}`).not.toContain('do-not-show-me');
  });

  it('caps an unknown type name at 64 characters', () => {
    const alert = render(item('z'.repeat(500), {}));
    expectValid(alert);
    expect(alert.email).toContain(`type ${'z'.repeat(64)},`);
    expect(alert.email).not.toContain('z'.repeat(65));
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', ''])('treats %p as an unknown type', (type) => {
    const fields = JSON.parse(`{"account_name":"acme","${type}":{"${type}":{"x":1}},"__proto__":{"balance":1}}`);
    const alert = renderAlert({ callbackId: 1, accountId: 2, type, hash: '', fields }, OPTIONS);
    expectValid(alert);
    expect(alert.severity).toBe('info');
    expect(alert.email).not.toContain('Balance:');
  });

  it('survives a getter that throws, with a generic alert', () => {
    const data = Object.defineProperty({}, 'is_repeated', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    const alert = render(item('min_balance', data));
    expect(alert.email).toContain('could not be rendered');
    expect(alert.sms.length).toBeLessThanOrEqual(160);
    expect(alert.subject).toContain('min_balance');
  });
});

describe('properties', () => {
  // Any UTF-16 code unit, lone surrogates included: worse than any real JSON string.
  const anyString = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 200 });
  const anyType = fc.oneof(fc.constantFrom(...KNOWN_TYPES), anyString);
  const anyJson = fc.jsonValue({ maxDepth: 4 });

  it('never throws and always meets the bounds, for any fields of any shape', () => {
    fc.assert(
      fc.property(
        anyType,
        fc.dictionary(anyString, anyJson, { maxKeys: 8 }),
        anyJson,
        anyJson,
        fc.oneof(anyString, anyJson),
        (type, rest, flat, nested, accountName) => {
          const shapes: Array<Record<string, unknown>> = [
            { ...rest },
            { ...rest, [type]: flat, account_name: accountName, balance: flat, currency: nested },
            { ...rest, [type]: { [type]: nested }, account_name: accountName },
            { ...rest, [type]: record(flat) ? { ...(flat as object), [type]: nested } : flat },
          ];
          for (const fields of shapes) {
            const alert = renderAlert({ callbackId: 1, accountId: 1234567, type, hash: HASH, fields }, OPTIONS);
            expectValid(alert);
            expect(alert.severity).toBe(severityOf(type));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('renders a parked item (only what parkable() keeps) exactly as the item it came from', () => {
    fc.assert(
      fc.property(
        anyType,
        fc.dictionary(anyString, anyJson, { maxKeys: 8 }),
        anyJson,
        fc.oneof(anyString, anyJson),
        (type, rest, data, name) => {
          const fields = { ...rest, type, account_name: name, balance: data, currency: 'USD', account_email: 'a@b.example', [type]: data };
          const full = renderAlert({ callbackId: 1, accountId: 1234567, type, hash: HASH, fields }, OPTIONS);
          const parked = renderAlert({ callbackId: 1, accountId: 1234567, type, hash: '', fields: parkable(fields, false) }, OPTIONS);
          expect(parked).toEqual(full);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('renders every known type within bounds for any data', () => {
    fc.assert(
      fc.property(fc.constantFrom(...KNOWN_TYPES), fc.dictionary(fc.constantFrom(...DATA_KEYS), anyJson), (type, data) => {
        expectValid(render(item(type, data)));
        expectValid(render(item(type, { [type]: data })));
      }),
      { numRuns: 500 },
    );
  });
});
