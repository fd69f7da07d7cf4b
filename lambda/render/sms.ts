/**
 * The SMS of an alert: one segment in the encoding its language needs (GSM-7 for English, 160 characters;
 * UCS-2 for Russian, 70). Most important first: what happened and its numbers, the confirmed balance, then what to do, then the
 * account. Pure: no AWS, no I/O.
 */
import type { Messages } from './i18n';
import { clean, DETAIL_MAX, fit, gsm, oneSegment, SMS_MAX, SMS_UCS2_MAX } from './text';

/** What the SMS says, already read from the callback. */
export interface SmsParts {
  /** A smoke test sent by `npm run send-callback`: says so first. */
  readonly test: boolean;
  readonly what: string;
  /** The key numbers, shown in parentheses after `what`. */
  readonly detail: string | undefined;
  /** A confirmed balance (or why it is not), right after what happened; undefined: none shown. */
  readonly confirmation?: string;
  readonly action: string | undefined;
  /** The account name, at most SHORT_MAX characters, or undefined when the callback has none. */
  readonly shortName: string | undefined;
  readonly accountId: string;
}

/** The smallest part of the detail worth showing in a UCS-2 SMS; below it the detail is left out. */
const MIN_DETAIL = 8;

/**
 * One SMS segment in `m`'s words and encoding. GSM-7 (160): the sentences joined, the tail cut with "..."
 * when they do not fit. UCS-2 (70): the detail is shortened to leave room for what happened; then the
 * account is left out first, then the action (oneSegment), so no sentence is cut in half.
 */
export function smsText(parts: SmsParts, m: Messages): string {
  const head = (detail: string) => `${parts.test ? m.alert.testSms : ''}Voximplant: ${parts.what}${detail}.`;
  const account = m.alert.smsAccount(parts.shortName, parts.accountId);
  if (m.smsEncoding === 'GSM-7') {
    const detail = parts.detail === undefined ? '' : ` (${fit(parts.detail, DETAIL_MAX)})`;
    return fit(gsm(clean([head(detail), parts.confirmation, parts.action, account].filter(Boolean).join(' '), SMS_MAX * 2)), SMS_MAX);
  }
  const room = Math.min(DETAIL_MAX, SMS_UCS2_MAX - Array.from(head(' ()')).length);
  const detail = parts.detail === undefined || room < MIN_DETAIL ? '' : ` (${fit(parts.detail, room)})`;
  return oneSegment([head(detail), parts.confirmation, parts.action, account], SMS_UCS2_MAX);
}
