/**
 * A balance confirmation in the rendered alert (lambda/render/confirmation.ts through renderAlert): what each
 * channel says, confirmed and unconfirmed, and that every channel limit still holds at the worst sizes.
 */
import type { BalanceConfirmation, UnconfirmedReason } from '../../../../lambda/model';
import { renderAlert } from '../../../../lambda/render';
import { ACCOUNT_FIGURES, expectValid, FIXTURES, item, OPTIONS } from './support';

const CONFIRMED: BalanceConfirmation = { kind: 'confirmed', ...ACCOUNT_FIGURES };
const READ_AT = ACCOUNT_FIGURES.readAt;
const REASONS: UnconfirmedReason[] = ['timed-out', 'refused', 'unavailable', 'no-time'];
const BALANCE_TYPES = ['min_balance', 'account_is_frozen', 'next_charge_alert'] as const;

const withConfirmation = (type: (typeof BALANCE_TYPES)[number], confirmation?: BalanceConfirmation, overrides = {}) =>
  renderAlert(item(type, FIXTURES[type].data, overrides), { ...OPTIONS, confirmation });

describe('a confirmed balance', () => {
  it('min_balance: subject, SMS and email show the confirmed balance, credit limit, frozen state and time read', () => {
    const alert = withConfirmation('min_balance', CONFIRMED);
    expect(alert.subject).toBe('Voximplant: balance low on acme (4.87 USD; confirmed 4.80 USD)');
    expect(alert.sms).toBe(
      'Voximplant: balance low (4.87 USD). Confirmed 4.80 USD at 12:03 UTC. Top up now before calls stop. Account acme (1234567).',
    );
    expect(alert.email).toContain('Balance (as the callback sent it): 4.87 USD\n');
    expect(alert.email).toContain('Confirmed balance: 4.80 USD\nCredit limit: 0.00 USD\nFrozen: no\n');
    expect(alert.email).toContain('Confirmed at: 2026-11-30 12:03:04 UTC (Voximplant Management API, GetAccountInfo)');
    expect(alert.email).not.toContain('topped up');
    expectValid(alert);
  });

  it('says when the account was topped up since (balance at or above the threshold)', () => {
    const alert = withConfirmation('min_balance', { ...CONFIRMED, balance: 50 });
    expect(alert.subject).toContain('confirmed 50.00 USD');
    expect(alert.email).toContain('at or above the notification threshold (10.00 USD): the account may have been topped up');
  });

  it('shows a frozen account and a credit limit in every channel', () => {
    const alert = withConfirmation('account_is_frozen', { ...CONFIRMED, frozen: true, creditLimit: 100 });
    expect(alert.subject).toContain('confirmed 4.80 USD, frozen');
    expect(alert.sms).toContain('Confirmed 4.80 USD, credit 100.00 USD, FROZEN at 12:03 UTC.');
    expect(alert.email).toContain('Frozen: yes');
    expect(alert.email).toContain('Credit limit: 100.00 USD');
  });

  it('says when an account_is_frozen alert meets an account no longer frozen', () => {
    expect(withConfirmation('account_is_frozen', CONFIRMED).email).toContain('not frozen now: it may have been unfrozen');
  });

  it('a field missing from the answer reads "unknown", never a guess', () => {
    const alert = withConfirmation('min_balance', { kind: 'confirmed', readAt: READ_AT });
    expect(alert.email).toContain('Confirmed balance: unknown\nCredit limit: unknown\nFrozen: unknown\n');
    expectValid(alert);
  });
});

describe('an unconfirmed balance', () => {
  it.each([
    { reason: 'timed-out', sms: 'Not confirmed: timed out.', email: "Voximplant's account API did not answer in time" },
    { reason: 'refused', sms: 'Not confirmed: credentials refused.', email: "refused this stack's credentials" },
    { reason: 'unavailable', sms: 'Not confirmed: API unavailable.', email: "Voximplant's account API was unavailable" },
    { reason: 'no-time', sms: 'Not confirmed: no time.', email: 'there was no time left to ask Voximplant' },
  ] as const)('$reason: says so plainly in every channel', ({ reason, sms, email }) => {
    const alert = withConfirmation('min_balance', { kind: 'unconfirmed', reason });
    expect(alert.subject).toBe('Voximplant: balance low on acme (4.87 USD; unconfirmed)');
    expect(alert.sms).toContain(`Voximplant: balance low (4.87 USD). ${sms} Top up now`);
    expect(alert.email).toContain('Confirmed balance: not confirmed: ');
    expect(alert.email).toContain(email);
    expect(alert.email).toContain('as the callback sent them; its body is not signed');
    expectValid(alert);
  });
});

describe('without a confirmation', () => {
  it.each(BALANCE_TYPES)('%s renders exactly as before', (type) => {
    const alert = withConfirmation(type);
    expect(alert).toEqual(renderAlert(item(type, FIXTURES[type].data), OPTIONS));
    expect(`${alert.subject}${alert.sms}${alert.email}`).not.toMatch(/confirmed/i);
  });
});

describe('channel limits at the worst sizes', () => {
  const long = {
    account_name: 'A very long account name that goes on and on past thirty characters',
    balance: -123456789.99,
    currency: 'USD',
  };
  const worst: BalanceConfirmation[] = [
    { ...CONFIRMED, balance: -987654321.99, creditLimit: 123456789.5, frozen: true },
    ...REASONS.map((reason) => ({ kind: 'unconfirmed', reason }) as const),
  ];

  it.each(BALANCE_TYPES.flatMap((type) => worst.map((confirmation) => ({ type, confirmation }))))(
    '$type, $confirmation.kind $confirmation.reason: subject < 100 ASCII, SMS one GSM-7 segment, the confirmation kept',
    ({ type, confirmation }) => {
      const alert = withConfirmation(type, confirmation, long);
      expectValid(alert);
      // What is cut first is the tail: the account line of the SMS, the callback's own numbers in the subject.
      expect(alert.subject).toMatch(confirmation.kind === 'confirmed' ? /confirmed -987654321\.99 USD, frozen\)$/ : /unconfirmed\)$/);
      expect(alert.sms).toMatch(
        confirmation.kind === 'confirmed'
          ? /Confirmed -987654321\.99 USD, credit 123456789\.50 USD, FROZEN at 12:03 UTC\./
          : /Not confirmed: /,
      );
    },
  );
});
