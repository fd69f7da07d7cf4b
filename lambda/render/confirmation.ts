/**
 * How a balance confirmation (confirm.ts) reads in each channel: a few English words for the subject (SNS
 * subjects are ASCII), one short sentence for the SMS and facts and a note for the email, in the alert's
 * language. The values come from Voximplant's Management API answer, checked by the client (types, sizes),
 * and are still formatted by the same readers as callback fields. Pure: no AWS, no I/O.
 */
import type { BalanceConfirmation } from '../model';
import { amount, money } from './fields';
import { en, type Messages } from './i18n';
import type { Fact } from './templates';

/** The language's date and time for the email (en `2026-11-30 12:03:04 UTC`, ru `30.11.2026 12:03:04 UTC`); `12:03 UTC` for the SMS. */
function readTime(epochMs: number, short: boolean, m: Messages): string {
  const date = new Date(epochMs);
  if (Number.isNaN(date.getTime())) return m.confirmation.unknownTime;
  const iso = date.toISOString();
  return short ? `${iso.slice(11, 16)} UTC` : m.format.date(iso.slice(0, 10), iso.slice(11, 19));
}

/** For the subject, after the alert's own numbers: `confirmed 4.80 USD`, `confirmed 4.80 USD, frozen`, or `unconfirmed`. */
export function confirmationShort(c: BalanceConfirmation): string {
  if (c.kind === 'unconfirmed') return 'unconfirmed';
  return `confirmed ${money(c.balance, c.currency, en.format)}${c.frozen === true ? ', frozen' : ''}`;
}

/**
 * For the SMS, right after the alert's numbers: en `Confirmed 4.80 USD at 12:03 UTC.` (`, credit 50.00 USD` when
 * there is a credit limit, `, FROZEN` when frozen), or `Not confirmed: timed out.`; ru the same in Russian.
 */
export function confirmationSms(c: BalanceConfirmation, m: Messages): string {
  if (c.kind === 'unconfirmed') return m.confirmation.smsUnconfirmed(m.confirmation.smsReasons[c.reason]);
  const credit = c.creditLimit !== undefined && c.creditLimit !== 0 ? amount(c.creditLimit, c.currency, m.format) : undefined;
  return m.confirmation.sms(money(c.balance, c.currency, m.format), credit, c.frozen === true, readTime(c.readAt, true, m));
}

/**
 * For the email: the confirmed balance, credit limit, frozen state and read time as facts, and a note when the
 * answer contradicts the callback (a min_balance whose confirmed balance is above the threshold again, an
 * account_is_frozen for an account no longer frozen); or one fact saying why there is no confirmation.
 */
export function confirmationEmail(c: BalanceConfirmation, type: string, m: Messages): { facts: Fact[]; lines: string[] } {
  const words = m.confirmation;
  if (c.kind === 'unconfirmed') {
    return { facts: [[words.confirmedBalance, words.notConfirmed(words.reasons[c.reason])]], lines: [words.unsignedNote] };
  }
  const facts: Fact[] = [
    [words.confirmedBalance, money(c.balance, c.currency, m.format)],
    [words.creditLimit, money(c.creditLimit, c.currency, m.format)],
    [words.frozen, c.frozen === undefined ? m.format.unknown : c.frozen ? m.format.yes : m.format.no],
    [words.confirmedAt, `${readTime(c.readAt, false, m)} ${words.source}`],
  ];
  const lines: string[] = [];
  if (type === 'min_balance' && c.balance !== undefined && c.minBalanceToNotify !== undefined && c.balance >= c.minBalanceToNotify) {
    lines.push(words.toppedUp(money(c.minBalanceToNotify, c.currency, m.format)));
  }
  if (type === 'account_is_frozen' && c.frozen === false) lines.push(words.unfrozen);
  return { facts, lines };
}
