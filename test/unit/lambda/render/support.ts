/**
 * Shared by the render tests: a realistic item builder, per-type fixtures keyed by the catalogue's types
 * (KnownType, so a type added to lambda/render/catalogue.ts without a fixture fails `tsc`), and the bounds
 * every alert must meet. Fixture data differs from the shipped samples on purpose: it plants personal data
 * where a careless template would show it.
 */
import type { AccountFigures, Alert, CallbackItem } from '../../../../lambda/model';
import { DEFAULTS } from '../../../../lambda/config';
import { type AlertLanguage, KNOWN_TYPES, type KnownType, renderAlert, SMOKE_TEST_ACCOUNT_NAME } from '../../../../lambda/render';
import { SAMPLE_DATA } from '../../../../lambda/render/samples';
import { smsSize } from '../../../../lambda/render/text';

export const CONSOLE = DEFAULTS.consoleUrl;
export const OPTIONS = { consoleUrl: CONSOLE };

// Personal data and secrets that must never reach an alert. Distinctive, so a hit is never a coincidence.
export const HASH = '56dab05d4229ab1a03ac715bb5d143b2';
export const PRIVATE = {
  account_email: 'ops-private@acme.example',
  account_first_name: 'Marguerite',
  account_last_name: 'Okonkwo',
};
export const SMS_SOURCE = '+15550009999';
export const SMS_BODY = 'Your login code is 424242 SECRETTEXT';
const SECRETS = [HASH, ...Object.values(PRIVATE), SMS_SOURCE, '15550009999', SMS_BODY, 'SECRETTEXT', 'Rejected because'];

/** A realistic item as the parser hands it over: envelope + the whole wire object as `fields`. */
export function item(type: string, data?: unknown, overrides: Record<string, unknown> = {}): CallbackItem {
  const fields: Record<string, unknown> = {
    callback_id: 987654,
    type,
    account_id: 1234567,
    hash: HASH,
    account_name: 'acme',
    ...PRIVATE,
    language_code: 'en',
    balance: 4.87,
    currency: 'USD',
    ...(data === undefined ? {} : { [type]: data }),
    ...overrides,
  };
  return { callbackId: 987654, accountId: 1234567, type, hash: HASH, fields };
}

export const render = (i: CallbackItem): Alert => renderAlert(i, OPTIONS);
/** renderAlert with the `alertLanguage` setting: `en` or `ru` whatever the item's language_code. */
export const renderIn = (i: CallbackItem, alertLanguage: AlertLanguage): Alert => renderAlert(i, { ...OPTIONS, alertLanguage });

/** Every type the protocol reference names, with realistic data and the values its email must show. */
export const FIXTURES: Readonly<Record<KnownType, { data?: unknown; shows: string[] }>> = {
  min_balance: { data: { is_min_credit: false, is_repeated: false }, shows: ['4.87 USD', 'Top up'] },
  account_is_frozen: { data: {}, shows: ['frozen', 'Top up'] },
  account_is_unfrozen: { data: {}, shows: ['unfrozen'] },
  card_payment_failed: { data: {}, shows: ['card payment failed'] },
  card_expired: { shows: ['expired'] },
  card_expires_in_month: { data: {}, shows: ['expires within a month'] },
  card_payment: { data: { transaction_id: 555001, transaction_type: 'card', amount: 25 }, shows: ['25.00 USD', '555001'] },
  robokassa_payment: {
    data: { transaction_id: 555002, transaction_type: 'robokassa', amount: '12.5' },
    shows: ['12.50 USD', '555002'],
  },
  wire_transfer: { data: { transaction_id: 555003, transaction_type: 'wire', amount: 1000 }, shows: ['1000.00 USD', '555003'] },
  next_charge_alert: { data: { required_money: 30.5, insufficient_funds_amount: 25.63 }, shows: ['30.50 USD', '25.63 USD'] },
  subscription_is_frozen: {
    data: { subscriptions: [{ type: 'phone_number', name: '+1 555 0100', cost: 1, details: 'US local' }] },
    shows: ['+15550100', '1.00 USD', 'phone_number'],
  },
  subscription_is_detached: {
    data: { subscriptions: [{ type: 'phone_number', name: '+44 20 7946 0000', details: 'London' }] },
    shows: ['+442079460000'],
  },
  unverified_subscription_detached: {
    data: { subscriptions: [{ type: 'phone_number', name: '+49 30 123456', details: 'Berlin' }] },
    shows: ['+4930123456', 'verification'],
  },
  renewed_subscriptions: {
    data: {
      subscriptions: [
        { type: 'phone_number', name: '+1 555 0100', cost: 1, next_renewal: '2025-04-01', details: 'US' },
        { type: 'phone_number', name: '+1 555 0101', cost: 2.5, next_renewal: '2025-04-02 00:00:00', details: 'US' },
      ],
    },
    shows: ['+15550100', '+15550101', '2.50 USD', '2025-04-01', '2025-04-02 00:00:00 UTC'],
  },
  sip_registration_fail: {
    data: { sip_registrations: [{ sip_registration_id: 4411, status_code: 403, error_message: 'Forbidden' }] },
    shows: ['4411', '403', 'Forbidden'],
  },
  sip_registration_recovered: { data: { sip_registrations: [{ sip_registration_id: 4411 }] }, shows: ['4411', 'recovered'] },
  js_fail: { data: {}, shows: ['VoxEngine scenario'] },
  expiring_callerid: {
    data: { callerids: ['+15550100', '+15550101'], expiration_date: '2025-05-01' },
    shows: ['+15550100', '+15550101', '2025-05-01'],
  },
  expiring_agreement: { data: { expiration_date: '2025-05-01', until_expiration: 14 }, shows: ['2025-05-01', '14'] },
  expired_agreement: { data: { document_ids: [9001, 9002] }, shows: ['9001', '9002'] },
  restored_agreement_status: { data: { document_id: 9003, expiration_date: '2026-01-01' }, shows: ['9003', '2026-01-01'] },
  account_document_status_updated: {
    data: {
      account_document_id: 7001,
      previous_account_document_status: 'IN_PROGRESS',
      account_document_status: 'DECLINED',
      update_time: '2025-03-01 10:20:30',
      comment: `Rejected because ${PRIVATE.account_first_name} ${PRIVATE.account_last_name}'s passport is blurry`,
      legal_status: 'natural',
    },
    shows: ['7001', 'IN_PROGRESS', 'DECLINED', '2025-03-01 10:20:30 UTC', 'comment'],
  },
  account_document_uploaded: { data: { account_document_id: 7002, account_document_status: 'IN_PROGRESS' }, shows: ['7002'] },
  account_document_verified: { data: { account_document_id: 7003, account_document_status: 'VERIFIED' }, shows: ['7003', 'VERIFIED'] },
  regulation_address_uploaded: { data: { regulation_address_id: 3101, regulation_address_status: 'IN_PROGRESS' }, shows: ['3101'] },
  regulation_address_verified: {
    data: { regulation_address_id: 3102, regulation_address_status: 'VERIFIED' },
    shows: ['3102', 'VERIFIED'],
  },
  regulation_address_documents_requested: {
    data: { regulation_address_id: 3103, regulation_address_status: 'REQUESTED' },
    shows: ['3103', 'REQUESTED'],
  },
  transcription_complete: {
    data: {
      transcription_complete: {
        record_url: 'https://storage.example/records/secret-token',
        transcription_url: 'https://storage.example/transcripts/secret-token',
        call_session_history_id: 880011,
        transcription_cost: 0.25,
      },
    },
    shows: ['880011', '0.25 USD'],
  },
  sms_inbound: {
    data: { sms_inbound: { source_number: SMS_SOURCE, destination_number: '15550001111', sms_body: SMS_BODY } },
    shows: ['15550001111', 'inbound SMS'],
  },
  phone_number_activation_status_changed: {
    data: { phone_number_activation_status_changed: { phone_number: '15550002222', activation_status: 'ACTIVE' } },
    shows: ['15550002222', 'ACTIVE'],
  },
  call_history_report: { data: { history_report_id: 6001, success: true, order_date: '2025-03-01 09:00:00' }, shows: ['6001', 'ready'] },
  transaction_history_report: { data: { history_report_id: 6002, success: false, order_date: '2025-03-01' }, shows: ['6002', 'failed'] },
  expiring_certificates: {
    data: {
      certificates: [{ push_credential_id: 501, cert_file_name: 'ios_push.p12', expiration_date: '2025-06-01', applications: ['myapp'] }],
    },
    shows: ['501', 'ios_push.p12', '2025-06-01', 'myapp'],
  },
  expired_certificates: {
    data: { certificates: [{ push_credential_id: 502, cert_file_name: 'voip.p12' }] },
    shows: ['502', 'voip.p12', 'expired'],
  },
  a2p_sms_activated: { data: { a2p_enabled: true }, shows: ['A2P SMS sending is enabled'] },
  batch_task_cancelling_completed: { data: { batch_id: 7301, cancelled_tasks_number: 42 }, shows: ['7301', '42'] },
  invoice_received: {
    data: {
      invoice_id: 2025031,
      invoice_date: '2025-03-01',
      receival_date: '2025-03-02 08:00:00',
      amount: '120.40',
      tax_amount: '20.07',
      currency: 'EUR',
    },
    shows: ['2025031', '120.40 EUR', '20.07 EUR', '2025-03-01'],
  },
  reset_account_password_request: { data: {}, shows: ['password reset'] },
  activate_successful: { data: {}, shows: ['activated'] },
  stagnant_account: { data: {}, shows: ['inactive'] },
  plan_config: { data: {}, shows: ['plan'] },
  uncharged_tariff: { data: {}, shows: ['could not be charged', 'Top up'] },
  balance_is_changed: { data: {}, shows: ['4.87 USD'] },
  new_invoice: { data: { invoice_id: 2025032, amount: '99.00', currency: 'USD' }, shows: ['2025032', '99.00 USD'] },
};

export function record(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every data field name the reference lists, so generated data hits the renderers' real paths. */
export const DATA_KEYS = [
  ...new Set(
    Object.values(FIXTURES).flatMap(({ data }) => {
      const keys = record(data) ? Object.keys(data as object) : [];
      const nested = keys.flatMap((key) => {
        const inner = (data as Record<string, unknown>)[key];
        return record(inner) ? Object.keys(inner as object) : [];
      });
      return [...keys, ...nested, 'subscriptions', 'name', 'cost'];
    }),
  ),
];

const GSM_SAFE = /^[\x20-\x7E]*$/;
const GSM_EXTENSION = /[[\]{}\\^~|`]/;

/** The bounds every alert must meet, whatever came in. */
export function expectValid(alert: Alert): void {
  expect(alert.subject.length).toBeGreaterThan(0);
  expect(alert.subject.length).toBeLessThanOrEqual(99);
  expect(alert.subject).toMatch(/^[\x20-\x7E]+$/);
  expect(alert.sms.length).toBeGreaterThan(0);
  expect(alert.sms.length).toBeLessThanOrEqual(160);
  expect(alert.sms).toMatch(GSM_SAFE);
  expect(alert.sms).not.toMatch(GSM_EXTENSION);
  // Only line feeds break the email; nothing invisible, no lone surrogates.
  expect(alert.email).not.toMatch(/[\p{Cf}\p{Cs}\p{Zl}\p{Zp}]|(?!\n)\p{Cc}/u);
  expect(alert.email).toContain(CONSOLE);
  expect(alert.email.length).toBeLessThan(10_000);
  expect(alert.email).not.toContain('could not be rendered');
}

export function expectNoSecrets(alert: Alert): void {
  const all = [alert.subject, alert.email, alert.sms].join('\n');
  for (const secret of SECRETS) expect(all).not.toContain(secret);
  expect(all).not.toContain('secret-token');
}

/** An account as GetAccountInfo might report it, read at 2026-11-30 12:03:04 UTC: still low, not frozen. */
export const ACCOUNT_FIGURES: AccountFigures = {
  balance: 4.8,
  creditLimit: 0,
  frozen: false,
  minBalanceToNotify: 10,
  currency: 'USD',
  readAt: Date.UTC(2026, 10, 30, 12, 3, 4),
};

const CYRILLIC = /\p{Script=Cyrillic}/u;

/**
 * The bounds every Russian alert must meet, whatever came in: an ASCII subject under 100 characters; an SMS
 * of one UCS-2 segment (at most 70 UTF-16 units, Basic Multilingual Plane only) that is Russian; the same
 * email bounds as English, in Russian, and never the "could not be rendered" fallback.
 */
export function expectValidRussian(alert: Alert): void {
  expect(alert.subject.length).toBeGreaterThan(0);
  expect(alert.subject.length).toBeLessThanOrEqual(99);
  expect(alert.subject).toMatch(/^[\x20-\x7E]+$/);
  expect(smsSize(alert.sms)).toMatchObject({ encoding: 'UCS-2', segments: 1 });
  expect(alert.sms.length).toBeLessThanOrEqual(70);
  expect(alert.sms).toMatch(CYRILLIC);
  expect(alert.sms).not.toMatch(/[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]|[\u{10000}-\u{10FFFF}]/u);
  expect(alert.email).toMatch(CYRILLIC);
  expect(alert.email).not.toMatch(/[\p{Cf}\p{Cs}\p{Zl}\p{Zp}]|(?!\n)\p{Cc}/u);
  expect(alert.email).toContain(CONSOLE);
  expect(alert.email.length).toBeLessThan(10_000);
  expect(alert.email).not.toContain('показать его подробно не удалось');
}

/**
 * Every type with realistic data: the test fixtures, the shipped samples, and variants that change the
 * words. Four values in every row: jest takes a test function with more parameters than the row for one
 * that waits on `done`.
 */
export type RenderCase = [name: string, type: string, data: unknown, overrides: Record<string, unknown>];
export const RENDER_CASES: RenderCase[] = [
  ...Object.entries(FIXTURES).map(([type, { data }]): RenderCase => [`${type} (fixture)`, type, data, {}]),
  ...Object.entries(SAMPLE_DATA).map(([type, data]): RenderCase => [`${type} (sample)`, type, data, {}]),
  ...KNOWN_TYPES.map((type): RenderCase => [
    `${type} (no data, no name)`,
    type,
    undefined,
    { account_name: undefined, balance: undefined },
  ]),
  ['min_balance reminder', 'min_balance', { is_repeated: true }, {}],
  ['min_balance credit limit', 'min_balance', { is_min_credit: true, is_repeated: true }, {}],
  ['min_balance smoke test', 'min_balance', {}, { account_name: SMOKE_TEST_ACCOUNT_NAME }],
  [
    'min_balance long name, big balance',
    'min_balance',
    {},
    { account_name: 'a-very-long-account-name-'.repeat(10), balance: -123456789.5 },
  ],
  ['report failed', 'call_history_report', { history_report_id: 1, success: false }, {}],
  ['a2p disabled', 'a2p_sms_activated', { a2p_enabled: false }, {}],
  ['a2p unknown', 'a2p_sms_activated', {}, {}],
  ['agreement 1 day', 'expiring_agreement', { until_expiration: 1 }, {}],
  ['agreement 22 days', 'expiring_agreement', { until_expiration: '22' }, {}],
  ['agreement odd days', 'expiring_agreement', { until_expiration: 'soon' }, {}],
  ['batch 1 task', 'batch_task_cancelling_completed', { cancelled_tasks_number: 1 }, {}],
  [
    '25 subscriptions',
    'subscription_is_frozen',
    { subscriptions: Array.from({ length: 25 }, (_, i) => ({ name: `number-${i}`, cost: 1000 + i })) },
    {},
  ],
  ['unknown type', 'brand_new_type', { x: 1 }, {}],
  [
    'huge Cyrillic values',
    'subscription_is_frozen',
    {
      subscriptions: Array.from({ length: 25 }, () => ({
        name: 'ж'.repeat(5000),
        type: 'ж'.repeat(5000),
        details: 'ж'.repeat(5000),
        cost: 1e20,
      })),
    },
    { account_name: 'ж'.repeat(5000), balance: -1e20 },
  ],
];

/** Latin words a Russian alert may hold: names, units and terms Russian readers use as they are. */
const LATIN_ALLOWED = new Set(['voximplant', 'voxengine', 'sip', 'api', 'sms', 'utc', 'caller', 'id', 'push']);
const URL = /\bhttps?:\/\/\S+/g;

/** Every Latin word in the strings of `value` (deep): data shown as sent may be English. */
function dataWords(value: unknown, into = new Set<string>()): Set<string> {
  if (typeof value === 'string') for (const word of value.match(/[A-Za-z]+/g) ?? []) into.add(word.toLowerCase());
  else if (Array.isArray(value)) value.forEach((entry) => dataWords(entry, into));
  else if (typeof value === 'object' && value !== null) Object.values(value).forEach((entry) => dataWords(entry, into));
  return into;
}

/**
 * Runs of two or more Latin words in `text` that are neither allowed nor part of the callback's data:
 * English left untranslated. A word is letters only (ids like min_balance or A2P are not words).
 */
export function untranslated(text: string, data: unknown): string[] {
  const allowed = dataWords(data);
  const tokens = text
    .replace(URL, ' ')
    .split(/[^\p{L}\p{N}_]+/u)
    .filter(Boolean);
  const suspect = (token: string) =>
    /^[A-Za-z]+$/.test(token) && !LATIN_ALLOWED.has(token.toLowerCase()) && !allowed.has(token.toLowerCase());
  const runs: string[] = [];
  let run: string[] = [];
  for (const token of [...tokens, '']) {
    if (suspect(token)) run.push(token);
    else {
      if (run.length >= 2) runs.push(run.join(' '));
      run = [];
    }
  }
  return runs;
}
