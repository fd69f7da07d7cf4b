/**
 * Turns one verified callback into the words a person reads: an email subject and body, and one SMS.
 * Pure: no AWS, no I/O. Every value comes from an unsigned body (see the protocol reference: only the
 * callback id is covered by the hash), so every field is read defensively, capped and sanitized, and
 * only fields that are not personal data are ever read at all.
 *
 * Rooms: text.ts (sanitizing, channel encodings, limits) · fields.ts (readers for hostile values) ·
 * templates.ts (what each type says) · catalogue.ts (type → severity, template) · this file (assembly).
 * samples.ts holds sample data for the test sender and the tests and is not imported here, so it stays
 * out of the Lambda bundle.
 */
import type { Alert, BalanceConfirmation, CallbackItem } from '../model';
import { safeTypeName } from '../parse';
import { entryOf, severityOf } from './catalogue';
import { confirmationEmail, confirmationShort, confirmationSms } from './confirmation';
import { money, prop, text } from './fields';
import { type Body, type Data, type Fact, unknownType } from './templates';
import { ascii, clean, DETAIL_MAX, fit, gsm, SHORT_MAX, SMS_MAX, SUBJECT_MAX } from './text';

/** The catalogue's public face: the type names, their type, and each type's severity (see catalogue.ts). */
export { KNOWN_TYPES, type KnownType, severityOf } from './catalogue';

/** What renderAlert needs besides the callback. */
export interface RenderOptions {
  /** Linked from every email so the reader can act. */
  readonly consoleUrl: string;
  /** The account's balance as Voximplant's Management API confirmed it, or why it could not (confirm.ts); none: not shown. */
  readonly confirmation?: BalanceConfirmation;
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
 * (`item[type]`). A parked item keeps these and nothing else (pipeline.ts parkable()), so a retry renders
 * the same alert without storing personal data it never shows.
 */
export const RENDERED_FIELDS: readonly string[] = Object.freeze(['account_name', 'balance', 'currency']);

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
 * The alert for one verified callback item: `subject` (printable ASCII, at most 99 characters, the SNS
 * Publish rule), `sms` (GSM-7 basic set, at most 160 characters: one segment) and `email` (plain text,
 * lines separated by \n, every value capped), plus the sanitized `type` and its `severity`. Never throws:
 * a type it does not know, or data it cannot read, gives an alert without details.
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

  const render = entry?.render ?? unknownType(name, `Voximplant sent a callback of type "${name}", which this receiver does not know.`);
  let body: Body;
  try {
    body = render(data);
  } catch {
    // Defence in depth (a getter on a hostile object, a bug): an alert without details beats no alert.
    body = unknownType(name, `A callback of type "${name}" arrived but could not be rendered in detail.`)(data);
  }

  const accountId = clean(String(item.accountId), 20);
  const accountName = text(prop(fields, 'account_name'));
  const hasBalance = prop(fields, 'balance') !== undefined || entry?.balance === 'always';
  const balance = money(prop(fields, 'balance'), data.currency);
  const detail = body.detail === undefined ? (entry?.balance === 'always' ? balance : undefined) : body.detail;
  const shortDetail = detail === undefined ? '' : ` (${fit(detail, DETAIL_MAX)})`;
  const shortAccount = accountName === undefined ? `account ${accountId}` : fit(accountName, SHORT_MAX);
  const confirmation = options.confirmation;

  const test = accountName === SMOKE_TEST_ACCOUNT_NAME;
  const subjectPrefix = `${test ? 'TEST: ' : ''}Voximplant: ${body.what} on `;
  const subject = fit(
    ascii(
      clean(
        confirmation === undefined
          ? `${subjectPrefix}${shortAccount}${shortDetail}`
          : confirmedSubject(subjectPrefix, shortAccount, detail, confirmation),
        SUBJECT_MAX * 2,
      ),
    ),
    SUBJECT_MAX,
  );

  // Most important first, so truncation only ever loses the tail: what, the numbers, the confirmation, the action,
  // the account (the email has it in full).
  const sms = fit(
    gsm(
      clean(
        [
          `${test ? 'TEST, not real: ' : ''}Voximplant: ${body.what}${shortDetail}.`,
          confirmation === undefined ? undefined : confirmationSms(confirmation),
          body.smsAction,
          `Account ${shortAccount} (${accountId}).`,
        ]
          .filter(Boolean)
          .join(' '),
        SMS_MAX * 2,
      ),
    ),
    SMS_MAX,
  );

  const account = accountName === undefined ? `id ${accountId}` : `"${accountName}" (id ${accountId})`;
  const fromCallback = confirmation === undefined ? 'Balance' : 'Balance (as the callback sent it)';
  const confirmed = confirmation === undefined ? { facts: [], lines: [] } : confirmationEmail(confirmation, name);
  const facts: Fact[] = [
    ['Account', account],
    ...(hasBalance ? [[fromCallback, balance] as const] : []),
    ...(body.facts ?? []),
    ...confirmed.facts,
  ];
  const lines = [...(body.lines ?? []), ...confirmed.lines];
  const email = [
    ...(test ? [`${SMOKE_TEST_ACCOUNT_NAME}: not a real alert, nothing needs doing. It shows the alerts reach you.`, ''] : []),
    body.summary,
    '',
    ...facts.filter(([, value]) => value !== undefined).map(([label, value]) => `${label}: ${value}`),
    ...(lines.length > 0 ? ['', ...lines] : []),
    ...(body.action ? ['', `What to do next: ${body.action}`] : []),
    '',
    `Control panel: ${clean(String(options.consoleUrl), 500)}`,
    '',
    '--',
    `Voximplant callback ${clean(String(item.callbackId), 20)}, type ${name}, severity ${severityOf(type)}.`,
    '',
  ].join('\n');

  return {
    accountId: item.accountId,
    callbackId: item.callbackId,
    // Sanitized: it becomes the `callback_type` message attribute subscribers filter on.
    type: name,
    severity: severityOf(type),
    subject,
    email,
    sms,
  };
}
