/**
 * What the watchdog's alerts say (lambda/watchdog/): one alert when a condition opens, one when it clears. Same
 * channels and limits as the callback alerts (text.ts): a printable-ASCII subject under 100 characters, one
 * GSM-7 SMS segment, a plain-text email. Values from the account's answer (the callback URL, amounts) are
 * untrusted and cleaned and capped; the salt is never shown.
 *
 * The alert types are the `callback_type` message attribute subscribers filter on. They all start with
 * `watchdog_`, so they can never be confused with a Voximplant callback type (the receiver renders those from
 * catalogue.ts; these names are not in it, so a forged callback of such a type renders as an unknown type).
 * Opening: critical (every one means alerts are, or may be, lost); clearing: info.
 */
import { acknowledgeLines } from './acknowledge';
import type { Alert, Severity } from '../model';
import type { Cleared, Condition, Finding } from '../watchdog/findings';
import { amount } from './fields';
import { en } from './i18n';
import { ascii, clean, fit, gsm, SMS_MAX, SUBJECT_MAX, VALUE_MAX } from './text';

/** The suffix of the alert type that says a condition cleared. */
export const CLEARED_SUFFIX = '_cleared';

/** The alert type (callback_type attribute) of a condition opening. */
export const watchdogType = (condition: Condition): string => `watchdog_${condition}`;

/** How each condition reads: the opening's words and action, the clearing's words. */
const WORDS: Record<Condition, { what: string; summary: string; action: string; sms: string; fixed: string; fixedSummary: string }> = {
  callback_url_wrong: {
    what: 'callback URL wrong',
    summary: "Voximplant's callback URL is not this stack's webhook URL: no callback reaches this receiver, so no balance alert will.",
    action: 'Run `npm run configure -- --connect --replace`, or paste the WebhookUrl output into the control panel (Settings > Webhooks).',
    sms: 'No callbacks reach the receiver. Fix the webhook URL.',
    fixed: 'callback URL fixed',
    fixedSummary: "Voximplant's callback URL is this stack's webhook URL again: callbacks reach the receiver.",
  },
  callback_salt_wrong: {
    what: 'callback salt wrong',
    summary:
      "Voximplant's callback salt is empty or differs from the one this stack holds: every callback fails verification (401) and alerts nobody.",
    action: 'Run `npm run configure -- --connect --replace` (a new salt in SSM and in Voximplant), or set the same salt in both.',
    sms: 'Every callback fails verification. Fix the salt.',
    fixed: 'callback salt fixed',
    fixedSummary: "Voximplant's callback salt matches this stack's again: callbacks verify.",
  },
  min_balance_not_called: {
    what: 'low balance, Voximplant did not call us',
    summary:
      'The balance is below the notification threshold (min_balance_to_notify), but no min_balance callback reached this receiver: Voximplant did not call us.',
    action: 'Top up the balance, then check the webhook settings in the control panel and the receiver log.',
    sms: 'Top up now; check the webhook.',
    fixed: 'low balance cleared',
    fixedSummary: 'The balance is back above the notification threshold, or Voximplant has sent its min_balance callback.',
  },
  account_frozen: {
    what: 'account frozen',
    summary: 'The account is frozen: calls and other services are stopped.',
    action: 'Top up the balance in the control panel, or contact Voximplant support, to unfreeze the account.',
    sms: 'Calls are stopped. Top up now.',
    fixed: 'account unfrozen',
    fixedSummary: 'The account is no longer frozen.',
  },
};

/**
 * The opening alert types: the ones `-c smsAlertTypes=` accepts besides the callback types (a clearing is `info`,
 * and the whole catalogue with these four, times three severities, stays within SNS's 150 filter combinations).
 */
export const WATCHDOG_OPENING_TYPES: readonly string[] = Object.freeze(Object.keys(WORDS).map((c) => watchdogType(c as Condition)));

/** Every alert type the watchdog publishes: each condition opening, and clearing. */
export const WATCHDOG_ALERT_TYPES: readonly string[] = Object.freeze(
  Object.keys(WORDS).flatMap((c) => [watchdogType(c as Condition), `${watchdogType(c as Condition)}${CLEARED_SUFFIX}`]),
);

export interface WatchdogRenderOptions {
  readonly accountId: string;
  /** Linked from every email. */
  readonly consoleUrl: string;
  /** Epoch ms of the pass. */
  readonly now: number;
  /** An opening that opened an incident: its acknowledge link (render/acknowledge.ts), in the email only. */
  readonly acknowledgeUrls?: readonly string[];
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function assemble(
  type: string,
  severity: Severity,
  what: string,
  detail: string | undefined,
  lines: { summary: string; facts: Array<[string, string | undefined]>; action?: string; sms: string },
  options: WatchdogRenderOptions,
): Alert {
  const accountId = clean(options.accountId, 20);
  const short = detail === undefined ? '' : ` (${detail})`;
  const subject = fit(ascii(clean(`Voximplant watchdog: ${what} on account ${accountId}${short}`, SUBJECT_MAX * 2)), SUBJECT_MAX);
  const sms = fit(gsm(clean(`Voximplant watchdog: ${what}${short}. ${lines.sms} Account ${accountId}.`, SMS_MAX * 2)), SMS_MAX);
  const email = [
    lines.summary,
    '',
    `Account: id ${accountId}`,
    ...lines.facts.filter(([, value]) => value !== undefined).map(([label, value]) => `${label}: ${value}`),
    ...(lines.action ? ['', `What to do next: ${lines.action}`] : []),
    ...acknowledgeLines(options.acknowledgeUrls, en),
    '',
    `Control panel: ${clean(options.consoleUrl, 500)}`,
    '',
    '--',
    `The watchdog (a scheduled check of GetAccountInfo) at ${iso(options.now)}, type ${type}, severity ${severity}.`,
    '',
  ].join('\n');
  // callbackId 0: not a callback. Programmatic subscribers tell watchdog alerts by their `watchdog_` type.
  return { accountId: Number(options.accountId) || 0, callbackId: 0, type, severity, subject, email, sms };
}

/** The alert for a condition that opened. Never throws. */
export function renderOpened(finding: Finding, options: WatchdogRenderOptions): Alert {
  const words = WORDS[finding.condition];
  const f = finding.facts;
  const balance = amount(f.balance, f.currency, en.format);
  const threshold = amount(f.minBalanceToNotify, f.currency, en.format);
  const shortDetail = finding.condition === 'min_balance_not_called' || finding.condition === 'account_frozen' ? balance : undefined;
  return assemble(
    watchdogType(finding.condition),
    'critical',
    words.what,
    shortDetail,
    {
      summary: words.summary,
      facts: [
        ['Balance', balance],
        ['Notification threshold', threshold],
        ...(finding.condition === 'min_balance_not_called'
          ? [
              ['Last min_balance callback', f.lastMinBalanceAt === undefined ? 'none on record' : iso(f.lastMinBalanceAt)] as [
                string,
                string,
              ],
            ]
          : []),
        [
          'Callback URL in Voximplant',
          f.expectedUrl === undefined ? undefined : f.configuredUrl === undefined ? '(none)' : clean(f.configuredUrl, VALUE_MAX),
        ],
        ['This stack', f.expectedUrl === undefined ? undefined : clean(f.expectedUrl, VALUE_MAX)],
      ],
      action: words.action,
      sms: words.sms,
    },
    options,
  );
}

/** The alert for a condition that cleared ("callback URL fixed"). Never throws. */
export function renderCleared(cleared: Cleared, options: WatchdogRenderOptions): Alert {
  const words = WORDS[cleared.condition];
  return assemble(
    `${watchdogType(cleared.condition)}${CLEARED_SUFFIX}`,
    'info',
    words.fixed,
    undefined,
    { summary: words.fixedSummary, facts: [['Open since', iso(cleared.since)]], sms: 'Nothing to do.' },
    options,
  );
}
