/**
 * Turns one verified callback into the words a person reads: an email subject and body, and one SMS.
 * Pure: no AWS, no I/O. Every value comes from an unsigned body (see the protocol reference: only the
 * callback id is covered by the hash), so every field is read defensively, capped and sanitized, and
 * only fields that are not personal data are ever read at all.
 *
 * Rooms: text.ts (sanitizing, channel encodings, limits) · fields.ts (readers for hostile values) ·
 * templates.ts (what each type says) · i18n/ (each language's words: en.ts, ru.ts; which language) ·
 * catalogue.ts (type → severity, template) · sms.ts (the SMS in its encoding) · confirmation.ts (a confirmed
 * balance in each channel) · this file (assembly).
 * samples.ts holds sample data for the test sender and the tests and is not imported here, so it stays
 * out of the Lambda bundle.
 */
import type { Alert, BalanceConfirmation, CallbackItem } from '../model';
import { safeTypeName } from '../parse';
import { entryOf, severityOf } from './catalogue';
import { acknowledgeLines } from './acknowledge';
import { chatText } from './chat';
import { confirmationEmail, confirmationShort, confirmationSms } from './confirmation';
import { money, prop, text } from './fields';
import { type AlertLanguage, en, languageOf, MESSAGES, type Messages } from './i18n';
import { smsText } from './sms';
import { type Body, type Data, type Fact, unknownType } from './templates';
import { ascii, clean, DETAIL_MAX, fit, SHORT_MAX, SUBJECT_MAX } from './text';

/** The catalogue's public face: the type names, their type, and each type's severity (see catalogue.ts). */
export { KNOWN_TYPES, type KnownType, severityOf } from './catalogue';
export { ALERT_LANGUAGES, type AlertLanguage, isAlertLanguage, type Language, languageOf } from './i18n';

/** What renderAlert needs besides the callback. */
export interface RenderOptions {
  /** Linked from every email so the reader can act. */
  readonly consoleUrl: string;
  /** `en` or `ru` for every alert, or `auto` (the default): each callback's `language_code` (i18n/index.ts languageOf). */
  readonly alertLanguage?: AlertLanguage;
  /** The account's balance as Voximplant's Management API confirmed it, or why it could not (confirm.ts); none: not shown. */
  readonly confirmation?: BalanceConfirmation;
  /** An incident's opening alert: its acknowledge links (acknowledge.ts), shown in the email only. */
  readonly acknowledgeUrls?: readonly string[];
}

/**
 * The subject when a confirmation is shown, before encoding: `<prefix><account> (<numbers>; <confirmation>)`.
 * In 99 characters the confirmation's few words are kept whole; the alert's own numbers give way first, then
 * the account name (down to 8 characters; the email has it in full).
 */
function confirmedSubject(prefix: string, account: string, detail: string | undefined, confirmation: BalanceConfirmation): string {
  const confirmed = confirmationShort(confirmation);
  const length = (value: string) => Array.from(value).length;
  let room = SUBJECT_MAX - length(prefix) - length(confirmed) - 3;
  const shownAccount = fit(account, Math.max(8, Math.min(length(account), room)));
  room -= length(shownAccount) + 2;
  // Fewer than 8 characters of a number ("4.8...") say nothing: leave the number out rather than mislead.
  const numbers = detail !== undefined && room >= 8 ? `${fit(detail, Math.min(DETAIL_MAX, room))}; ` : '';
  return `${prefix}${shownAccount} (${numbers}${confirmed})`;
}

/**
 * The account name `npm run send-callback` puts in the callbacks it sends to a deployment (a smoke test):
 * such an alert says TEST in its subject, SMS and first email line, so nobody takes it for an emergency.
 * The name is unsigned like every body field; a forger gains nothing by it (the callback must still verify,
 * and each id alerts once).
 */
export const SMOKE_TEST_ACCOUNT_NAME = 'TEST sent by send-callback';

/**
 * The top-level item fields renderAlert reads, besides the envelope fields and the type's own data
 * (`item[type]`). A parked item keeps these and nothing else (receiver.ts parkable()), so a retry renders
 * the same alert without storing personal data it never shows.
 */
export const RENDERED_FIELDS: readonly string[] = Object.freeze(['account_name', 'balance', 'currency', 'language_code']);

/**
 * The alert for one verified callback item, in the language languageOf() picks: `subject` (printable ASCII,
 * at most 99 characters, the SNS Publish rule; in English whatever the language, as SNS takes no Cyrillic
 * there), `sms` (one segment: GSM-7 basic set, at most 160 characters, or for Russian UCS-2, at most 70)
 * and `email` (plain text, lines separated by \n, every value capped), plus the sanitized `type` and its
 * `severity`. Never throws: a type it does not know, or data it cannot read, gives an alert without details.
 */
export function renderAlert(item: CallbackItem, options: RenderOptions): Alert {
  const type = typeof item.type === 'string' ? item.type : '';
  const fields: unknown = item.fields;
  const entry = entryOf(type);
  const name = safeTypeName(type);

  const outer = prop(fields, type);
  const inner = prop(outer, type);
  const data: Data = {
    get: (key) => {
      const nested = prop(inner, key);
      return nested !== undefined ? nested : prop(outer, key);
    },
    currency: prop(fields, 'currency'),
  };

  const m = MESSAGES[languageOf(prop(fields, 'language_code'), options.alertLanguage)];
  const bodyIn = (words: Messages): Body => {
    try {
      return (entry?.render ?? unknownType(name))(data, words);
    } catch {
      // Defence in depth (a getter on a hostile object, a bug): an alert without details beats no alert.
      return unknownType(name, true)(data, words);
    }
  };
  const body = bodyIn(m);
  // SNS subjects are ASCII only: every alert's subject is the English one, whatever the body's language.
  const english = m === en ? body : bodyIn(en);

  const accountId = clean(String(item.accountId), 20);
  const accountName = text(prop(fields, 'account_name'));
  const hasBalance = prop(fields, 'balance') !== undefined || entry?.balance === 'always';
  const balanceIn = (words: Messages) => money(prop(fields, 'balance'), data.currency, words.format);
  const detailOf = (said: Body, words: Messages) =>
    said.detail === undefined ? (entry?.balance === 'always' ? balanceIn(words) : undefined) : said.detail;
  const englishDetail = detailOf(english, en);
  const shortDetail = englishDetail === undefined ? '' : ` (${fit(englishDetail, DETAIL_MAX)})`;
  const shortName = accountName === undefined ? undefined : fit(accountName, SHORT_MAX);
  const shortAccount = shortName ?? `account ${accountId}`;

  const confirmation = options.confirmation;

  const test = accountName === SMOKE_TEST_ACCOUNT_NAME;
  const subjectPrefix = `${test ? 'TEST: ' : ''}Voximplant: ${english.what} on `;
  const subject = fit(
    ascii(
      clean(
        confirmation === undefined
          ? `${subjectPrefix}${shortAccount}${shortDetail}`
          : confirmedSubject(subjectPrefix, shortAccount, englishDetail, confirmation),
        SUBJECT_MAX * 2,
      ),
    ),
    SUBJECT_MAX,
  );

  const sms = smsText(
    {
      test,
      what: body.what,
      detail: detailOf(body, m),
      confirmation: confirmation === undefined ? undefined : confirmationSms(confirmation, m),
      action: body.smsAction,
      shortName,
      accountId,
    },
    m,
  );

  const confirmed = confirmation === undefined ? { facts: [], lines: [] } : confirmationEmail(confirmation, name, m);
  const facts: Fact[] = [
    [m.labels.account, m.alert.account(accountName, accountId)],
    ...(hasBalance ? [[confirmation === undefined ? m.labels.balance : m.confirmation.balanceFromCallback, balanceIn(m)] as const] : []),
    ...(body.facts ?? []),
    ...confirmed.facts,
  ];
  const lines = [...(body.lines ?? []), ...confirmed.lines];
  const email = [
    ...(test ? [m.alert.testEmail(SMOKE_TEST_ACCOUNT_NAME), ''] : []),
    body.summary,
    '',
    ...facts.filter(([, value]) => value !== undefined).map(([label, value]) => `${label}: ${value}`),
    ...(lines.length > 0 ? ['', ...lines] : []),
    ...(body.action ? ['', `${m.alert.whatToDo}: ${body.action}`] : []),
    ...acknowledgeLines(options.acknowledgeUrls, m),
    '',
    `${m.alert.controlPanel}: ${clean(String(options.consoleUrl), 500)}`,
    '',
    '--',
    m.alert.footer(clean(String(item.callbackId), 20), name, m.severity[severityOf(type)]),
    '',
  ].join('\n');

  const chat = chatText(
    {
      what: body.what,
      account: m.alert.account(shortName, accountId),
      summary: body.summary,
      facts,
      // The acknowledge link in chat too (its first line is the email's blank separator).
      lines: [...lines, ...acknowledgeLines(options.acknowledgeUrls, m).slice(lines.length > 0 ? 0 : 1)],
      action: body.action,
      consoleUrl: String(options.consoleUrl),
      type: name,
      severity: severityOf(type),
      test,
    },
    m,
  );

  return {
    accountId: item.accountId,
    callbackId: item.callbackId,
    // Sanitized: it becomes the `callback_type` message attribute subscribers filter on.
    type: name,
    severity: severityOf(type),
    subject,
    email,
    sms,
    chat,
  };
}
