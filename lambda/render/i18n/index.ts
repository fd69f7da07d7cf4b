/**
 * Which language an alert is written in: the callback's `language_code` (Voximplant sends the account's
 * language, `en` or `ru`: protocol reference), unless the deployment fixes one (`alertLanguage`, README
 * "Configuration"). Pure: no AWS, no I/O.
 */
import { en } from './en';
import type { Language, Messages } from './messages';
import { ru } from './ru';

export type { Format, Language, Messages } from './messages';
export { en } from './en';

/** The `alertLanguage` setting: one language for every alert, or `auto` (each callback's own). */
export type AlertLanguage = Language | 'auto';

/** Every value `alertLanguage` accepts, the default first. */
export const ALERT_LANGUAGES: readonly AlertLanguage[] = Object.freeze(['auto', 'en', 'ru'] as const);

/** Each language's message catalogue. */
export const MESSAGES: Readonly<Record<Language, Messages>> = Object.freeze({ en, ru });

/** Whether `value` is one of ALERT_LANGUAGES (exactly: no case folding, no trimming). */
export function isAlertLanguage(value: unknown): value is AlertLanguage {
  return typeof value === 'string' && (ALERT_LANGUAGES as readonly string[]).includes(value);
}

/**
 * The language of one alert. `setting` `en` or `ru` wins; under `auto` (or anything else) the alert is in
 * Russian when `languageCode` is exactly `ru`, in English otherwise: the field is unsigned, so "RU",
 * "ru-RU", non-strings and anything else undocumented fall back to English, the language every reader of
 * this receiver's alerts has been getting.
 */
export function languageOf(languageCode: unknown, setting: AlertLanguage = 'auto'): Language {
  if (setting === 'en' || setting === 'ru') return setting;
  return languageCode === 'ru' ? 'ru' : 'en';
}
