/**
 * How a balance confirmation (confirm.ts) reads in each channel: a few words for the subject, one short
 * sentence for the SMS, facts and a note for the email. The values come from Voximplant's Management API
 * answer, checked by the client (types, sizes), and are still formatted by the same readers as callback
 * fields. Pure: no AWS, no I/O.
 */
import type { BalanceConfirmation, UnconfirmedReason } from '../model';
import { amount, money } from './fields';
import type { Fact } from './templates';

/** Why it is unconfirmed, for the email: plain words, no error codes. */
const REASONS: Record<UnconfirmedReason, string> = {
  'timed-out': "Voximplant's account API did not answer in time",
  refused: "Voximplant's account API refused this stack's credentials (check the API key in SSM)",
  unavailable: "Voximplant's account API was unavailable",
  'no-time': 'there was no time left to ask Voximplant before the alert had to go out',
};

/** The same, in the fewest GSM-7 characters for the SMS. */
const SMS_REASONS: Record<UnconfirmedReason, string> = {
  'timed-out': 'timed out',
  refused: 'credentials refused',
  unavailable: 'API unavailable',
  'no-time': 'no time',
};

/** `2026-11-30 12:03:04 UTC` for the email; `12:03 UTC` for the SMS. Invalid times read "unknown time". */
function readTime(epochMs: number, short: boolean): string {
  const date = new Date(epochMs);
  if (Number.isNaN(date.getTime())) return 'unknown time';
  const iso = date.toISOString();
  return short ? `${iso.slice(11, 16)} UTC` : `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

/** For the subject, after the alert's own numbers: `confirmed 4.80 USD`, `confirmed 4.80 USD, frozen`, or `unconfirmed`. */
export function confirmationShort(c: BalanceConfirmation): string {
  if (c.kind === 'unconfirmed') return 'unconfirmed';
  return `confirmed ${money(c.balance, c.currency)}${c.frozen === true ? ', frozen' : ''}`;
}

/**
 * For the SMS, right after the alert's numbers: `Confirmed 4.80 USD at 12:03 UTC.` (`, credit 50.00 USD` when
 * there is a credit limit, `, FROZEN` when frozen), or `Not confirmed: timed out.` At most 70 characters.
 */
export function confirmationSms(c: BalanceConfirmation): string {
  if (c.kind === 'unconfirmed') return `Not confirmed: ${SMS_REASONS[c.reason]}.`;
  const credit = c.creditLimit !== undefined && c.creditLimit !== 0 ? `, credit ${amount(c.creditLimit, c.currency)}` : '';
  const frozen = c.frozen === true ? ', FROZEN' : '';
  return `Confirmed ${money(c.balance, c.currency)}${credit}${frozen} at ${readTime(c.readAt, true)}.`;
}

/**
 * For the email: the confirmed balance, credit limit, frozen state and read time as facts, and a note when the
 * answer contradicts the callback (a min_balance whose confirmed balance is above the threshold again, an
 * account_is_frozen for an account no longer frozen); or one fact saying why there is no confirmation.
 */
export function confirmationEmail(c: BalanceConfirmation, type: string): { facts: Fact[]; lines: string[] } {
  if (c.kind === 'unconfirmed') {
    return {
      facts: [['Confirmed balance', `not confirmed: ${REASONS[c.reason]}`]],
      lines: ['The figures above are as the callback sent them; its body is not signed. Check the balance in the control panel.'],
    };
  }
  const facts: Fact[] = [
    ['Confirmed balance', money(c.balance, c.currency)],
    ['Credit limit', money(c.creditLimit, c.currency)],
    ['Frozen', c.frozen === undefined ? 'unknown' : c.frozen ? 'yes' : 'no'],
    ['Confirmed at', `${readTime(c.readAt, false)} (Voximplant Management API, GetAccountInfo)`],
  ];
  const lines: string[] = [];
  if (type === 'min_balance' && c.balance !== undefined && c.minBalanceToNotify !== undefined && c.balance >= c.minBalanceToNotify) {
    lines.push(
      `The confirmed balance is at or above the notification threshold (${money(c.minBalanceToNotify, c.currency)}): ` +
        'the account may have been topped up since the callback.',
    );
  }
  if (type === 'account_is_frozen' && c.frozen === false) {
    lines.push('Voximplant reports the account is not frozen now: it may have been unfrozen since the callback.');
  }
  return { facts, lines };
}
