/**
 * Reads and validates the CDK context values the stack accepts (`-c key=value` or cdk.json "context").
 * Pure functions: every mistake is reported at synth time, naming the key, the bad value and the expected
 * form, instead of surfacing later as a failed deploy.
 *
 * Values from the command line always arrive as strings; cdk.json may also hold numbers or string arrays.
 */
import type { Severity } from '../lambda/model';
import { DEFAULTS, parseAlertLanguage as parseLanguage, typeNameProblem } from '../lambda/config';
import { DEFAULT_REMINDER_SCHEDULE, type ReminderSchedule } from '../lambda/incidents/model';
import { formatReminderSchedule, parseReminderSchedule } from '../lambda/incidents/schedule';
import { CHAT_RELAY_FUNCTION, WATCHDOG_FUNCTION } from '../lambda/contract';
import { WATCHDOG_OPENING_TYPES } from '../lambda/render/watchdog';
import type { AlertLanguage } from '../lambda/render';

/** Every context key the stack reads, with its default (README "Configuration (context)" lists the same). */
export const CONTEXT_KEYS = {
  parameterPrefix: 'parameterPrefix',
  alertTypes: 'alertTypes',
  alertEmail: 'alertEmail',
  alertSms: 'alertSms',
  smsSeverities: 'smsSeverities',
  smsAlertTypes: 'smsAlertTypes',
  throttleRate: 'throttleRate',
  throttleBurst: 'throttleBurst',
  kmsKeyArn: 'kmsKeyArn',
  watchInterval: 'watchInterval',
  maxCallbackAgeHours: 'maxCallbackAgeHours',
  alertLanguage: 'alertLanguage',
  reminderSchedule: 'reminderSchedule',
  escalationEmail: 'escalationEmail',
  escalationSms: 'escalationSms',
  slackWorkspaceId: 'slackWorkspaceId',
  slackChannelId: 'slackChannelId',
  slackSeverities: 'slackSeverities',
  teamsTenantId: 'teamsTenantId',
  teamsId: 'teamsId',
  teamsChannelId: 'teamsChannelId',
  teamsSeverities: 'teamsSeverities',
  telegramChatId: 'telegramChatId',
  telegramSeverities: 'telegramSeverities',
} as const;

/** A Record over the Severity union, so adding a severity in the Lambda fails to compile until listed here. */
const SEVERITY_SET: Record<Severity, true> = { critical: true, warning: true, info: true };
export const SEVERITIES = Object.keys(SEVERITY_SET) as Severity[];

export const CONTEXT_DEFAULTS = {
  parameterPrefix: DEFAULTS.parameterPrefix,
  alertTypes: DEFAULTS.alertTypes,
  smsSeverities: ['critical'] as readonly Severity[],
  smsAlertTypes: '*',
  /** Voximplant sends a handful of requests; anything above this is not Voximplant. */
  throttleRate: 10,
  throttleBurst: 20,
  /** Minutes between two watchdog passes. */
  watchInterval: WATCHDOG_FUNCTION.defaultIntervalMinutes,
  alertLanguage: DEFAULTS.alertLanguage,
  /** 30 min, 2 h, 6 h after the opening, then every 12 h (issue 15). */
  reminderSchedule: DEFAULT_REMINDER_SCHEDULE,
  /** Chat destinations (slackSeverities, teamsSeverities, telegramSeverities): lambda/contract.ts says why. */
  chatSeverities: CHAT_RELAY_FUNCTION.defaultSeverities as readonly Severity[],
} as const;

/** The notifier runs every minute: a reminder offset finer than that could not be kept. */
export const REMINDER_MIN_MS = 60_000;

/** EventBridge rates are whole minutes, at least 1; more than a day apart, the watchdog would notice too late. */
export const WATCH_INTERVAL_LIMITS = { min: 1, max: 1440 } as const;

/** SNS allows at most 150 value combinations in one filter policy. */
const MAX_FILTER_COMBINATIONS = 150;

export interface Settings {
  /** SSM prefix, starts with '/', no trailing '/'. */
  readonly parameterPrefix: string;
  /** Callback types the Lambda forwards, normalized to `a,b,c`, or '*'. */
  readonly alertTypes: string;
  /** Email subscribers (every forwarded alert and every alarm), deduplicated. */
  readonly alertEmails: readonly string[];
  /** E.164 SMS subscribers (urgent alerts, and only the alarms no outsider can raise: infra/alarms.ts), deduplicated. */
  readonly alertSms: readonly string[];
  /** Severities delivered by SMS, or '*' for all. */
  readonly smsSeverities: readonly Severity[] | '*';
  /** Callback types delivered by SMS, or '*' for all forwarded types. */
  readonly smsAlertTypes: readonly string[] | '*';
  /** API requests per second (steady state). */
  readonly throttleRate: number;
  /** API burst (requests). */
  readonly throttleBurst: number;
  /** Customer-managed KMS key encrypting the SecureString parameters, if not the AWS-managed aws/ssm key. */
  readonly kmsKeyArn?: string;
  /** Minutes between two watchdog passes. */
  readonly watchInterval: number;
  /** Optional: alarm (email) when no callback was verified for this many hours (LastCallbackAgeSeconds). */
  readonly maxCallbackAgeHours?: number;
  /** The alerts' language for the Lambda's ALERT_LANGUAGE: `auto` (each callback's language_code), `en` or `ru`. */
  readonly alertLanguage: AlertLanguage;
  /** When incident reminders fall (lambda/incidents/schedule.ts): the notifier's REMINDER_SCHEDULE. */
  readonly reminderSchedule: ReminderSchedule;
  /** Second-line email recipients: incident messages of escalation level 2 and up only (reminders, and notices of incidents that reached them). */
  readonly escalationEmails: readonly string[];
  /** Second-line E.164 SMS recipients: the same, through the SMS severity filter. */
  readonly escalationSms: readonly string[];
  /** Chat destinations (infra/chat.ts); absent when no chat key is set. */
  readonly chat?: ChatSettings;
}

/** The chat destinations asked for; each with the severities it receives. At least one is set. */
export interface ChatSettings {
  readonly slack?: { readonly workspaceId: string; readonly channelId: string; readonly severities: readonly Severity[] | '*' };
  readonly teams?: {
    readonly tenantId: string;
    readonly teamId: string;
    readonly channelId: string;
    readonly severities: readonly Severity[] | '*';
  };
  readonly telegram?: { readonly chatId: string; readonly severities: readonly Severity[] | '*' };
}

export type ContextGetter = (key: string) => unknown;

export class ContextError extends Error {
  constructor(key: string, value: unknown, expected: string) {
    super(`Invalid context value ${key}=${JSON.stringify(value)}: ${expected}`);
    this.name = 'ContextError';
  }
}

/** Reads and validates every context key; throws ContextError on the first bad value. */
export function readSettings(get: ContextGetter): Settings {
  const kmsKeyArn = parseKmsKeyArn(get(CONTEXT_KEYS.kmsKeyArn));
  const smsSeverities = parseSeverities(get(CONTEXT_KEYS.smsSeverities));
  const smsAlertTypes = parseSmsAlertTypes(get(CONTEXT_KEYS.smsAlertTypes));
  checkFilterSize(smsSeverities, smsAlertTypes);
  return {
    parameterPrefix: parseParameterPrefix(get(CONTEXT_KEYS.parameterPrefix)),
    alertTypes: parseAlertTypes(get(CONTEXT_KEYS.alertTypes)),
    alertEmails: parseEmails(get(CONTEXT_KEYS.alertEmail)),
    alertSms: parsePhoneNumbers(get(CONTEXT_KEYS.alertSms)),
    escalationEmails: parseEmails(get(CONTEXT_KEYS.escalationEmail), CONTEXT_KEYS.escalationEmail),
    escalationSms: parsePhoneNumbers(get(CONTEXT_KEYS.escalationSms), CONTEXT_KEYS.escalationSms),
    reminderSchedule: parseSchedule(get(CONTEXT_KEYS.reminderSchedule)),
    smsSeverities,
    smsAlertTypes,
    throttleRate: parsePositiveNumber(CONTEXT_KEYS.throttleRate, get(CONTEXT_KEYS.throttleRate), CONTEXT_DEFAULTS.throttleRate),
    throttleBurst: parsePositiveInteger(CONTEXT_KEYS.throttleBurst, get(CONTEXT_KEYS.throttleBurst), CONTEXT_DEFAULTS.throttleBurst),
    watchInterval: parseWatchInterval(get(CONTEXT_KEYS.watchInterval)),
    ...optionalNumber(CONTEXT_KEYS.maxCallbackAgeHours, get(CONTEXT_KEYS.maxCallbackAgeHours)),
    alertLanguage: parseAlertLanguage(get(CONTEXT_KEYS.alertLanguage)),
    ...(kmsKeyArn ? { kmsKeyArn } : {}),
    ...optionalChat(parseChat(get)),
  };
}

const optionalChat = (chat: ChatSettings | undefined): { chat?: ChatSettings } => (chat === undefined ? {} : { chat });

/**
 * Identifier forms, from the CloudFormation resource reference (AWS::Chatbot::SlackChannelConfiguration,
 * AWS::Chatbot::MicrosoftTeamsChannelConfiguration): Slack workspace ids are upper-case letters and digits
 * (e.g. T0123ABCD), channel ids letters and digits (C0123ABCD); Teams tenant and team ids are GUIDs; a Teams
 * channel id is the URL-encoded `19:...@thread.tacv2` from the channel's link. Telegram (Bot API, sendMessage
 * chat_id): an integer (negative for groups and channels) or `@channelusername` (5-32 letters, digits, `_`).
 */
const CHAT_IDS = {
  slackWorkspaceId: { pattern: /^[0-9A-Z]{1,255}$/, example: 'T0123ABCD (Slack: workspace settings, or the workspace URL)' },
  slackChannelId: { pattern: /^[A-Za-z0-9]{1,255}$/, example: 'C0123ABCD (Slack: channel details, at the bottom)' },
  teamsTenantId: { pattern: GUID(), example: "a GUID like 01234567-89ab-cdef-0123-456789abcdef (the channel link's tenantId)" },
  teamsId: { pattern: GUID(), example: "a GUID like 01234567-89ab-cdef-0123-456789abcdef (the channel link's groupId)" },
  teamsChannelId: {
    pattern: /^[A-Za-z0-9\-_=+/.,]*%3[aA][A-Za-z0-9\-_=+/.,]*%40[A-Za-z0-9\-_=+/.,]*$/,
    example: "the URL-encoded id from the channel's link, like 19%3ab6ef35dc342d56ba5654e6fc6d25a071%40thread.tacv2",
  },
  telegramChatId: {
    pattern: /^(-?[1-9]\d{0,15}|@[A-Za-z][A-Za-z0-9_]{4,31})$/,
    example: '-1001234567890 (a group or channel) or @my_alerts_channel',
  },
} as const;

function GUID(): RegExp {
  return /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;
}

/** Chat destinations: each all of its keys or none (half a set names the missing key); their severities. */
export function parseChat(get: ContextGetter): ChatSettings | undefined {
  const group = <K extends keyof typeof CHAT_IDS>(keys: readonly K[]): Record<K, string> | undefined => {
    const values = keys.map((key) => [key, get(key)] as const).filter(([, value]) => value !== undefined && value !== null && value !== '');
    if (values.length === 0) return undefined;
    const missing = keys.filter((key) => !values.some(([k]) => k === key));
    if (missing.length > 0) {
      const given = values.map(([k]) => k);
      throw new ContextError(
        missing[0],
        undefined,
        `${given.join(' and ')} ${given.length > 1 ? 'need' : 'needs'} ${missing.join(' and ')} too`,
      );
    }
    const result = {} as Record<K, string>;
    for (const [key, value] of values) {
      const { pattern, example } = CHAT_IDS[key];
      if (typeof value !== 'string' || !pattern.test(value.trim())) throw new ContextError(key, value, `expected ${example}`);
      result[key] = value.trim();
    }
    return result;
  };
  const severities = (key: string) => parseSeverities(get(key), key, CONTEXT_DEFAULTS.chatSeverities);
  const slack = group(['slackWorkspaceId', 'slackChannelId'] as const);
  const teams = group(['teamsTenantId', 'teamsId', 'teamsChannelId'] as const);
  const telegram = group(['telegramChatId'] as const);
  const chat: ChatSettings = {
    ...(slack && {
      slack: { workspaceId: slack.slackWorkspaceId, channelId: slack.slackChannelId, severities: severities(CONTEXT_KEYS.slackSeverities) },
    }),
    ...(teams && {
      teams: {
        tenantId: teams.teamsTenantId,
        teamId: teams.teamsId,
        channelId: teams.teamsChannelId,
        severities: severities(CONTEXT_KEYS.teamsSeverities),
      },
    }),
    ...(telegram && { telegram: { chatId: telegram.telegramChatId, severities: severities(CONTEXT_KEYS.telegramSeverities) } }),
  };
  for (const [key, destination] of [
    [CONTEXT_KEYS.slackSeverities, slack],
    [CONTEXT_KEYS.teamsSeverities, teams],
    [CONTEXT_KEYS.telegramSeverities, telegram],
  ] as const) {
    // A filter for a destination that is not set is a mistake worth hearing about: the destination was meant.
    if (destination === undefined && get(key) !== undefined && get(key) !== '') {
      throw new ContextError(key, get(key), `set only with its destination (${key.replace('Severities', '')}...)`);
    }
  }
  return Object.keys(chat).length > 0 ? chat : undefined;
}

/**
 * A list from the command line (`a,b` or `a b`) or from cdk.json (a string or an array of strings).
 * `undefined`, '' and [] all mean "none".
 */
export function parseList(key: string, value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const parts: unknown[] = Array.isArray(value) ? value : [value];
  const items: string[] = [];
  for (const part of parts) {
    if (typeof part !== 'string') throw new ContextError(key, value, 'expected a comma-separated string or an array of strings');
    items.push(...part.split(/[\s,;]+/).filter(Boolean));
  }
  return items;
}

/** Deliberately simple: one '@', a dot in the domain, no spaces or list separators. SNS accepts anything; typos do not. */
const EMAIL = /^[^\s@,;"<>()]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

/** `key`: alertEmail (default) or escalationEmail, named in the error. */
export function parseEmails(value: unknown, key: 'alertEmail' | 'escalationEmail' = CONTEXT_KEYS.alertEmail): string[] {
  return dedupe(
    parseList(key, value).map((email) => {
      if (!EMAIL.test(email)) {
        throw new ContextError(key, email, `not an email address; expected e.g. -c ${key}=ops@example.com,cfo@example.com`);
      }
      return email;
    }),
  );
}

/** E.164: '+', a country code that does not start with 0, 7 to 15 digits in all, nothing else. */
const E164 = /^\+[1-9]\d{6,14}$/;

/** `key`: alertSms (default) or escalationSms, named in the error. */
export function parsePhoneNumbers(value: unknown, key: 'alertSms' | 'escalationSms' = CONTEXT_KEYS.alertSms): string[] {
  return dedupe(
    parseList(key, value).map((phone) => {
      if (!E164.test(phone)) {
        throw new ContextError(
          key,
          phone,
          "not an E.164 phone number; expected '+', the country code and the number, digits only " +
            `(7-15 digits, no spaces or dashes), e.g. -c ${key}=+15551234567,+447700900123`,
        );
      }
      return phone;
    }),
  );
}

/** SSM parameter name rules: letters, digits and `_.-/`; names under /aws and /ssm are reserved. */
export function parseParameterPrefix(value: unknown): string {
  const key = CONTEXT_KEYS.parameterPrefix;
  if (value === undefined || value === null || value === '') return CONTEXT_DEFAULTS.parameterPrefix;
  const expected = `expected a path like ${CONTEXT_DEFAULTS.parameterPrefix}: starts with '/', no trailing '/'`;
  if (typeof value !== 'string') throw new ContextError(key, value, expected);
  if (!value.startsWith('/')) throw new ContextError(key, value, `must start with '/'; ${expected}`);
  if (value.endsWith('/')) throw new ContextError(key, value, `must not end with '/'; ${expected}`);
  if (!/^(\/[A-Za-z0-9_.-]+)+$/.test(value)) {
    throw new ContextError(key, value, `only letters, digits, '_', '.', '-' and single '/' separators are allowed; ${expected}`);
  }
  if (/^\/(aws|ssm)/i.test(value)) throw new ContextError(key, value, `names starting with /aws or /ssm are reserved by SSM; ${expected}`);
  return value;
}

const TYPE_NAME = /^[a-z][a-z0-9_]*$/;

function parseTypeList(key: string, value: unknown, fallback: string): string[] | '*' {
  const names = parseList(key, value ?? fallback);
  if (names.length === 0) return parseTypeList(key, fallback, fallback);
  if (names.includes('*')) {
    if (names.length > 1) throw new ContextError(key, value, "'*' (all types) cannot be combined with type names");
    return '*';
  }
  for (const name of names) {
    if (!TYPE_NAME.test(name)) {
      throw new ContextError(
        key,
        name,
        "not a Voximplant callback type; expected snake_case names like min_balance,account_is_frozen, or '*' for all",
      );
    }
    // The watchdog's alert types may be filtered on for SMS, never forwarded: Voximplant does not send them.
    if (key === CONTEXT_KEYS.smsAlertTypes && WATCHDOG_OPENING_TYPES.includes(name)) continue;
    // A typo (min_balanse) would deploy a receiver that ignores every callback of the intended type.
    const unknown = typeNameProblem(name);
    if (unknown) throw new ContextError(key, name, `${unknown} (npm run send-callback -- --list-types lists them all)`);
  }
  return dedupe(names);
}

/** Forwarded callback types, normalized for the Lambda's ALERT_TYPES (`a,b` or `*`). */
export function parseAlertTypes(value: unknown): string {
  const types = parseTypeList(CONTEXT_KEYS.alertTypes, value, CONTEXT_DEFAULTS.alertTypes);
  return types === '*' ? '*' : types.join(',');
}

export function parseSmsAlertTypes(value: unknown): string[] | '*' {
  return parseTypeList(CONTEXT_KEYS.smsAlertTypes, value, CONTEXT_DEFAULTS.smsAlertTypes);
}

/** Severities for one destination's filter (`key`, default SMS's): names, or '*' for all; none given: `fallback`. */
export function parseSeverities(
  value: unknown,
  key: string = CONTEXT_KEYS.smsSeverities,
  fallback: readonly Severity[] = CONTEXT_DEFAULTS.smsSeverities,
): Severity[] | '*' {
  const names = parseList(key, value);
  if (names.length === 0) return [...fallback];
  if (names.includes('*')) {
    if (names.length > 1) throw new ContextError(key, value, "'*' (all severities) cannot be combined with severity names");
    return '*';
  }
  for (const name of names) {
    if (!(SEVERITIES as string[]).includes(name)) {
      throw new ContextError(key, name, `not a severity; expected one or more of ${SEVERITIES.join('|')}, or '*'`);
    }
  }
  return dedupe(names) as Severity[];
}

/** The SMS filter's type list also takes the incident follow-ups' prefix (infra/stack.ts subscribe()): one more value. */
function checkFilterSize(severities: readonly string[] | '*', types: readonly string[] | '*'): void {
  const combinations = (severities === '*' ? 1 : severities.length) * (types === '*' ? 1 : types.length + 1);
  if (combinations > MAX_FILTER_COMBINATIONS) {
    throw new ContextError(
      CONTEXT_KEYS.smsAlertTypes,
      types,
      `SNS filter policies allow at most ${MAX_FILTER_COMBINATIONS} combinations; ${combinations} severities x types requested`,
    );
  }
}

function parseNumber(key: string, value: unknown, fallback: number, expected: string): number {
  if (value === undefined || value === null || value === '') return fallback;
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : NaN;
  if (!Number.isFinite(n) || n <= 0) throw new ContextError(key, value, expected);
  return n;
}

export function parsePositiveNumber(key: string, value: unknown, fallback: number): number {
  return parseNumber(key, value, fallback, `expected a positive number (requests per second), default ${fallback}`);
}

export function parsePositiveInteger(key: string, value: unknown, fallback: number): number {
  const expected = `expected a positive whole number, default ${fallback}`;
  const n = parseNumber(key, value, fallback, expected);
  if (!Number.isInteger(n)) throw new ContextError(key, value, expected);
  return n;
}

/** Minutes between watchdog passes: a whole number from WATCH_INTERVAL_LIMITS.min to .max, default 15. */
export function parseWatchInterval(value: unknown): number {
  const { min, max } = WATCH_INTERVAL_LIMITS;
  const expected =
    `expected whole minutes between watchdog passes, ${min} to ${max} (EventBridge schedules whole minutes), ` +
    `default ${CONTEXT_DEFAULTS.watchInterval}, e.g. -c watchInterval=30`;
  const n = parseNumber(CONTEXT_KEYS.watchInterval, value, CONTEXT_DEFAULTS.watchInterval, expected);
  if (!Number.isInteger(n) || n < min || n > max) throw new ContextError(CONTEXT_KEYS.watchInterval, value, expected);
  return n;
}

/** `-c reminderSchedule=30m,2h,6h,12h`: the offsets from the opening, then the repeat interval; each at least 1 minute. */
export function parseSchedule(value: unknown): ReminderSchedule {
  if (value === undefined || value === null || value === '') return CONTEXT_DEFAULTS.reminderSchedule;
  const expected =
    'expected offsets from the opening, ascending, then the interval of the reminders after them, each from 1m to 30d ' +
    `(s, m, h, d), default ${formatReminderSchedule(DEFAULT_REMINDER_SCHEDULE)} (30 min, 2 h, 6 h, then every 12 h)`;
  if (typeof value !== 'string') throw new ContextError(CONTEXT_KEYS.reminderSchedule, value, expected);
  try {
    return parseReminderSchedule(value, REMINDER_MIN_MS);
  } catch (error) {
    throw new ContextError(CONTEXT_KEYS.reminderSchedule, value, `${(error as Error).message}; ${expected}`);
  }
}

/** `{ [key]: n }` for a positive number, `{}` when unset: an optional setting. */
function optionalNumber(key: 'maxCallbackAgeHours', value: unknown): { maxCallbackAgeHours?: number } {
  if (value === undefined || value === null || value === '') return {};
  return { [key]: parseNumber(key, value, 0, 'expected a positive number of hours, e.g. -c maxCallbackAgeHours=72; omit it for no alarm') };
}

/** `auto` (default), `en` or `ru`, exactly as the Lambda's ALERT_LANGUAGE accepts it (lambda/config.ts). */
export function parseAlertLanguage(value: unknown): AlertLanguage {
  try {
    return parseLanguage(value);
  } catch {
    throw new ContextError(
      CONTEXT_KEYS.alertLanguage,
      value,
      "expected en, ru or auto (the default: each alert in its callback's language_code, English unless it is ru), " +
        'e.g. -c alertLanguage=ru',
    );
  }
}

/** IAM needs the key ARN itself: an alias ARN in a policy's Resource matches nothing. */
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;

export function parseKmsKeyArn(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || !KMS_KEY_ARN.test(value)) {
    throw new ContextError(
      CONTEXT_KEYS.kmsKeyArn,
      value,
      'expected a KMS key ARN like arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab (not an alias); ' +
        'omit it when the parameters use the default aws/ssm key',
    );
  }
  return value;
}

function dedupe<T extends string>(items: T[]): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = item.toLowerCase();
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
