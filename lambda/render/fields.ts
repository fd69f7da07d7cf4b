/**
 * Readers for hostile values. Every field of a callback's body is unsigned (only the callback id is
 * covered by the hash; see the protocol reference), so each reader accepts anything, never throws on
 * shape, and answers undefined (or a fallback) rather than guess. Text comes out cleaned and capped.
 * Pure: no AWS, no I/O.
 */
import type { Format } from './i18n';
import { clean, fit, LIST_MAX, VALUE_MAX } from './text';

/** A JSON object as parsed: values still unknown. */
export type Json = Record<string, unknown>;

/** `value` when it is a plain object (not null, not an array); otherwise undefined. */
export function record(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

/** `source[key]` for own properties only, so `constructor` or `__proto__` never resolve to something inherited. */
export function prop(source: unknown, key: string): unknown {
  const r = record(source);
  return r !== undefined && Object.prototype.hasOwnProperty.call(r, key) ? r[key] : undefined;
}

const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * A finite number from a number or a numeric string (at most 64 characters, e.g. "12.5", "1e3");
 * anything else, or anything non-finite, is undefined.
 */
export function num(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || value.length > 64) return undefined;
  const trimmed = value.trim();
  if (!NUMERIC.test(trimmed)) return undefined;
  const parsed = Number(trimmed);
  return Number.isFinite(parsed) ? parsed : undefined;
}

/** true/false from booleans, "true"/"false", 1/0 or "1"/"0"; anything else is undefined. */
export function bool(value: unknown): boolean | undefined {
  if (value === true || value === 'true' || value === 1 || value === '1') return true;
  if (value === false || value === 'false' || value === 0 || value === '0') return false;
  return undefined;
}

/**
 * A scalar as display text, cleaned and capped at `max` characters (default VALUE_MAX); booleans read
 * "yes"/"no". Objects and arrays are not text (their contents are never dumped): undefined.
 */
export function text(value: unknown, max = VALUE_MAX): string | undefined {
  if (typeof value === 'string') return clean(value, max) || undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return undefined;
}

/**
 * Arrays may arrive as one scalar, one object, or a comma-separated string (read up to 10,000
 * characters). Returns at most LIST_MAX `items` and the `total` count before the cap.
 */
export function list(value: unknown): { readonly items: readonly unknown[]; readonly total: number } {
  if (Array.isArray(value)) return { items: value.slice(0, LIST_MAX), total: value.length };
  if (typeof value === 'string') {
    const parts = value
      .slice(0, 10_000)
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '');
    return { items: parts.slice(0, LIST_MAX), total: parts.length };
  }
  if (value === undefined || value === null) return { items: [], total: 0 };
  return { items: [value], total: 1 };
}

/**
 * A phone number in one format everywhere: E.164 with its '+' (Voximplant sends numbers as digits,
 * `16505550134`; caller IDs sometimes with '+'). Spaces, dashes, dots and parentheses between digits are
 * dropped; anything that is not 7-15 digits then stays cleaned text, as sent.
 */
export function phone(value: unknown): string | undefined {
  const shown = text(value, 32);
  if (shown === undefined) return undefined;
  const digits = /^\+?[\d ().-]+$/.test(shown) ? shown.replace(/[^\d]/g, '') : '';
  return /^[1-9]\d{6,14}$/.test(digits) ? `+${digits}` : shown;
}

/** A currency code from untrusted text: letters only, at most 5, upper case; '' when there is none. Amounts carry the account's currency unless they bring their own. */
export function currencyCode(value: unknown): string {
  return typeof value === 'string'
    ? value
        .slice(0, 16)
        .replace(/[^A-Za-z]/g, '')
        .slice(0, 5)
        .toUpperCase()
    : '';
}

/**
 * An amount with two decimals in the language's `format` and its currency code, e.g. en `4.87 USD`, ru
 * `4,87 USD` (at most 40 characters before the code); undefined when it is no finite number.
 */
export function amount(value: unknown, currency: unknown, format: Format): string | undefined {
  const parsed = num(value);
  if (parsed === undefined) return undefined;
  const code = currencyCode(currency);
  // Above 1e21 toFixed switches to exponent notation and Intl writes every digit: fit() caps the length and,
  // unlike clean(), keeps Intl's no-break spaces (the formats' output is ours, not the sender's).
  const formatted = fit(format.decimal(parsed), 40);
  return code === '' ? formatted : `${formatted} ${code}`;
}

/** amount(), or the language's "unknown": for the email, where a missing amount is worth saying. */
export const money = (value: unknown, currency: unknown, format: Format): string => amount(value, currency, format) ?? format.unknown;

/**
 * Dates come as `YYYY-MM-DD HH:mm:ss` (UTC) or `YYYY-MM-DD` (protocol reference), shown in the language's
 * `format` (en as sent, `... UTC`; ru `DD.MM.YYYY`); anything else is shown as cleaned text.
 */
export function date(value: unknown, format: Format): string | undefined {
  if (typeof value === 'string') {
    const match = /^\s*(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2})?))?/.exec(value.slice(0, 64));
    if (match) return format.date(match[1], match[2]);
  }
  return text(value, 40);
}

/** Up to `max` scalars (40 characters each) in one line, e.g. certificate applications, with "and N more"; undefined when none is text. */
export function inline(value: unknown, format: Format, max = 5): string | undefined {
  const { items, total } = list(value);
  const shown = items
    .slice(0, max)
    .map((item) => text(item, 40))
    .filter((item): item is string => !!item);
  if (shown.length === 0) return undefined;
  return total > shown.length ? `${shown.join(', ')} ${format.andMore(total - shown.length)}` : shown.join(', ');
}

/**
 * A capped bullet list for the email, and a short `detail` for subject and SMS: the first entry's
 * `label` (default: the whole entry) plus how many more there are, in the language's `format`.
 */
export function bullets(
  value: unknown,
  format: Format,
  entry: (item: unknown) => string | undefined,
  label: (item: unknown) => string | undefined = entry,
): { readonly lines: string[]; readonly detail: string | undefined } {
  const { items, total } = list(value);
  const lines = items.map((item) => `- ${entry(item) ?? format.noDetails}`);
  if (total > items.length) lines.push(`- ${format.andMore(total - items.length)}`);
  const first = items.length > 0 ? label(items[0]) : undefined;
  const detail = first === undefined ? undefined : total > 1 ? `${first} ${format.plusMore(total - 1)}` : first;
  return { lines, detail };
}

/** "Label: value" pairs joined for a list entry, skipping what is missing. */
export function parts(...values: Array<string | undefined | false>): string {
  return values.filter((value): value is string => typeof value === 'string' && value !== '').join(', ');
}
