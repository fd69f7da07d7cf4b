/**
 * Text safety and channel encodings for alerts: sanitizing untrusted text into one readable line,
 * truncating by code points, and the character sets and lengths each channel allows.
 * Pure: no AWS, no I/O.
 */

// ---------------------------------------------------------------------------------------------------
// Limits, in characters (fit() counts code points)

/** SNS Publish: Subject must be "less than 100 characters" of ASCII (AWS SNS API Reference, Publish). moto lets 100 pass. */
export const SUBJECT_MAX = 99;
/** One GSM-7 SMS segment (3GPP TS 23.038): 160 septets, so 160 characters of the basic set. */
export const SMS_MAX = 160;
/**
 * One UCS-2 SMS segment: the same 140 octets hold 70 UTF-16 code units, and one character outside GSM-7
 * (any Cyrillic letter) makes the whole SMS UCS-2 (3GPP TS 23.038; Amazon SNS Developer Guide, "Publishing
 * SMS messages": "160 GSM characters, 140 ASCII characters, 70 UCS-2 characters").
 */
export const SMS_UCS2_MAX = 70;
/** Characters per part once an SMS is split: the concatenation header takes 6 of the 140 octets. */
export const SMS_PART = { 'GSM-7': 153, 'UCS-2': 67 } as const;
/** Any one interpolated value in the email. */
export const VALUE_MAX = 80;
/** The account name in subject and SMS, so the numbers after it survive. */
export const SHORT_MAX = 30;
/** The key-number part of subject and SMS. */
export const DETAIL_MAX = 60;
/** List entries shown before "and N more". */
export const LIST_MAX = 10;
/**
 * A chat message's parts (model.ts ChatText). title and description: the Amazon Q Developer custom notification
 * limits as documented (custom-notifs.html, "Parameter details": title 250, description 8,000 characters); the
 * description is kept to 3,000 here so the alert's SNS message stays small (publish-plan.ts budgets it). Next
 * steps and keywords have no documented count limit: ours, so a chat card stays readable.
 */
export const CHAT_LIMITS = {
  title: 250,
  description: 8000,
  ownDescription: 3000,
  nextSteps: 3,
  nextStep: 300,
  keywords: 3,
  keyword: 40,
} as const;
const ELLIPSIS = '...';

// ---------------------------------------------------------------------------------------------------
// Sanitizing

/** Control, line-separator and paragraph-separator characters would break lines or headers: make them spaces. */
const BREAKING = /[\p{Cc}\p{Zl}\p{Zp}]+/gu;
/** Invisible format characters (bidi overrides, zero-width) can disguise text; lone surrogates are not text. */
const INVISIBLE = /[\p{Cf}\p{Cs}]/gu;
/** Printable ASCII words separated by single spaces: nothing for clean() to change. */
const PLAIN = /^[\x21-\x7E]+(?: [\x21-\x7E]+)*$/;
/** Printable ASCII: all a subject may hold. */
const NOT_ASCII = /[^\x20-\x7E]/gu;
/** Printable ASCII minus GSM-7 extension characters (they cost two) and the backtick (not in GSM-7). */
const NOT_GSM = /[^\x20-\x7E]|[[\]{}\\^~|`]/gu;
/** Printable ASCII but the backtick, the GSM-7 extension characters included (two septets each). */
const GSM_TEXT = /^[\x20-\x5F\x61-\x7E]*$/;
const GSM_EXTENSION = /[[\]{}\\^~|]/g;
/** Outside UCS-2's Basic Multilingual Plane: emoji and the like, two UTF-16 units where they work at all. */
const ASTRAL = /[\u{10000}-\u{10FFFF}]/gu;

/**
 * Truncates `value` to at most `max` code points (never splitting a surrogate pair), marking the cut
 * with "...". Returns `value` itself when it fits.
 */
export function fit(value: string, max: number): string {
  if (value.length <= max) return value;
  const points = Array.from(value);
  if (points.length <= max) return value;
  return points.slice(0, max - ELLIPSIS.length).join('') + ELLIPSIS;
}

/**
 * One line of readable text, at most `max` code points (default VALUE_MAX): control, line- and
 * paragraph-separator characters become spaces, invisible format characters and lone surrogates go,
 * whitespace collapses. May return '' (nothing readable). Never throws; cost is bounded by `max`, not
 * by the input's length.
 */
export function clean(value: string, max = VALUE_MAX): string {
  // Most values are short printable ASCII with single spaces, which the full pass leaves as they are.
  if (value.length <= max && PLAIN.test(value)) return value;
  // Cut first so a multi-megabyte string costs no more than a short one.
  const head = value.length > max * 4 + 16 ? value.slice(0, max * 4 + 16) : value;
  return fit(head.replace(BREAKING, ' ').replace(INVISIBLE, '').replace(/\s+/g, ' ').trim(), max);
}

/** Every character outside printable ASCII becomes '?': all an SNS subject may hold (AWS SNS API Reference, Publish). */
export const ascii = (value: string): string => value.replace(NOT_ASCII, '?');
/**
 * Every character outside GSM-7's basic set as printable ASCII gives it (3GPP TS 23.038) becomes '?':
 * extension characters cost two septets and one non-GSM character would switch the whole SMS to UCS-2
 * (70 characters a segment).
 */
export const gsm = (value: string): string => value.replace(NOT_GSM, '?');

/**
 * Chat markup made inert, for every chat text (Slack mrkdwn and Teams markdown through Amazon Q Developer;
 * Telegram is sent without parse_mode, so there it changes only how a few characters look): `<...>` links and
 * mentions, `[text](url)` links, code, bold and strike marks, and `@` mentions become look-alike characters.
 */
export const chatSafe = (value: string): string => value.replace(CHAT_MARKUP, (c) => CHAT_LOOKALIKE[c] ?? '?');
const CHAT_MARKUP = /[<>[\]`*~@&]/g;
const CHAT_LOOKALIKE: Readonly<Record<string, string>> = {
  '<': '‹',
  '>': '›',
  '[': '(',
  ']': ')',
  '`': "'",
  '*': '∗',
  '~': '∼',
  '@': '＠',
  '&': '＆',
};

/**
 * Every character outside UCS-2 (the Basic Multilingual Plane) becomes '?', so a Russian SMS counts
 * exactly: one UTF-16 unit per character (3GPP TS 23.038).
 */
export const ucs2 = (value: string): string => value.replace(ASTRAL, '?');

/** The two SMS encodings: GSM-7 (160 characters a segment) and UCS-2 (70). */
export type SmsEncoding = keyof typeof SMS_PART;

/**
 * How an SMS of `text` travels: `encoding` (GSM-7 only when every character is printable ASCII other than
 * the backtick, a conservative subset of the GSM-7 alphabet, so a count is never too low), `units` (septets,
 * extension characters counting two; or UTF-16 code units) and `segments` (1 up to 160/70 units, then one
 * per 153/67).
 */
export function smsSize(text: string): { readonly encoding: SmsEncoding; readonly units: number; readonly segments: number } {
  const encoding: SmsEncoding = GSM_TEXT.test(text) ? 'GSM-7' : 'UCS-2';
  const units = encoding === 'GSM-7' ? text.length + (text.match(GSM_EXTENSION)?.length ?? 0) : text.length;
  const single = encoding === 'GSM-7' ? SMS_MAX : SMS_UCS2_MAX;
  return { encoding, units, segments: units <= single ? 1 : Math.ceil(units / SMS_PART[encoding]) };
}

/**
 * One UCS-2 segment (at most `max` characters) from sentences in order of importance: the first always,
 * cut with "..." if it alone is too long; every later one whole, or left out when it would not fit (so
 * the least important go first, and no sentence is cut in half). Each is cleaned; characters outside UCS-2
 * become '?'.
 */
export function oneSegment(sentences: ReadonlyArray<string | undefined>, max = SMS_UCS2_MAX): string {
  const [first = '', ...rest] = sentences
    .filter((sentence): sentence is string => !!sentence)
    .map((sentence) => ucs2(clean(sentence, max * 2)));
  let sms = fit(first, max);
  for (const sentence of rest) if (sentence !== '' && sms.length + 1 + sentence.length <= max) sms = `${sms} ${sentence}`;
  return sms;
}
