/**
 * Configuration from environment variables, with the defaults a careful user expects.
 * Read once per cold start; the infra stack sets the same names (see README "Configuration").
 */
import type { ReminderSchedule } from './incidents/model';
import { parseReminderSchedule } from './incidents/schedule';
import { ENV } from './contract';
import { ALERT_LANGUAGES, type AlertLanguage, isAlertLanguage, KNOWN_TYPES } from './render';

export interface Config {
  /** SSM prefix: <prefix>/salt, /account-id, /api-key and the optional /salt-previous, /api-key-previous. */
  readonly parameterPrefix: string;
  /** How long secrets stay cached in memory before the next SSM read. */
  readonly secretsTtlSeconds: number;
  /** Bodies larger than this (after base64 decoding) are refused with 413. */
  readonly maxBodyBytes: number;
  /** Forwarded callback types; '*' means all. */
  readonly alertTypes: ReadonlySet<string> | '*';
  readonly dedupeTableName: string;
  /** How long a delivered callback id is remembered (replay window). */
  readonly dedupeTtlDays: number;
  readonly topicArn: string;
  /** SQS queue where requests that could not be fully handled are parked for retry. */
  readonly retryQueueUrl: string;
  /** Linked from every email so the reader can act. */
  readonly consoleUrl: string;
  /**
   * Base URL of Voximplant's Management API, from VOXIMPLANT_API_URL. Set (the stack sets the public host),
   * balance alerts are confirmed with GetAccountInfo (confirm.ts); unset or empty, confirmation is off.
   * Checked (https, or http to loopback) when first used, so a bad value costs confirmations, never alerts.
   */
  readonly voximplantApiUrl?: string;
  /** The alerts' language: `auto` (each callback's `language_code`, English unless it is `ru`), `en` or `ru`. */
  readonly alertLanguage: AlertLanguage;
  /** Incidents' table (INCIDENT_TABLE_NAME); undefined: incidents are off, every alert a one-off as before. */
  readonly incidentTableName?: string;
  /** The HTTP API's base URL without a trailing slash (API_URL), for acknowledge links; undefined: no links. */
  readonly apiUrl?: string;
  /** When an opened incident's first reminder falls (REMINDER_SCHEDULE, the notifier's; lambda/incidents/schedule.ts). */
  readonly reminderSchedule: ReminderSchedule;
}

export const DEFAULTS = {
  parameterPrefix: '/voximplant-alerts',
  secretsTtlSeconds: 300,
  maxBodyBytes: 256 * 1024,
  alertTypes: 'min_balance',
  dedupeTtlDays: 30,
  consoleUrl: 'https://manage.voximplant.com/',
  alertLanguage: 'auto',
} as const;

/**
 * Parses ALERT_LANGUAGE (and the stack's alertLanguage context): `auto`, `en` or `ru`, exactly; unset or ''
 * is the default, `auto`. Throws an Error naming `name`, the value and the choices for anything else.
 */
export function parseAlertLanguage(value: unknown, name: string = ENV.alertLanguage): AlertLanguage {
  if (value === undefined || value === null || value === '') return DEFAULTS.alertLanguage;
  if (isAlertLanguage(value)) return value;
  throw new Error(
    `${name} must be one of ${ALERT_LANGUAGES.join('|')} (auto: each alert in its callback's language_code, ` +
      `English unless it is ru), got ${JSON.stringify(value)}`,
  );
}

/** Parses ALERT_TYPES: comma- or space-separated type names, or '*'. */
export function parseAlertTypes(value: string | undefined): ReadonlySet<string> | '*' {
  const names = (value ?? DEFAULTS.alertTypes).split(/[\s,]+/).filter(Boolean);
  if (names.includes('*')) return '*';
  return new Set(names.length > 0 ? names : [DEFAULTS.alertTypes]);
}

/**
 * Levenshtein distance between two strings, in UTF-16 code units (type names are ASCII): insertions,
 * deletions and substitutions each cost 1. O(a·b) time, O(b) memory.
 */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/** The known name closest to `name` (smallest edit distance, first in catalogue order on a tie). */
export function closestName(name: string, known: readonly string[] = KNOWN_TYPES): string {
  let best = known[0];
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

/**
 * Checks configured callback type names (ALERT_TYPES, the stack's alertTypes/smsAlertTypes) against the
 * catalogue the receiver renders (KNOWN_TYPES, from the protocol reference). Returns one sentence per
 * unknown name, naming the closest known type; [] when all are known or the list is '*'. A typo here would
 * silently drop every callback of the intended type, so callers stop instead of starting. Types *arriving*
 * in callbacks are not checked against this list (they are accepted and rendered generically).
 */
export function unknownTypeNames(names: Iterable<string> | '*'): string[] {
  if (names === '*') return [];
  return [...names].flatMap((name) => {
    const problem = typeNameProblem(name);
    return problem ? [`${JSON.stringify(name)} is ${problem}`] : [];
  });
}

/** For one name: undefined when known, else "not a known Voximplant callback type; did you mean <closest>?". */
export function typeNameProblem(name: string): string | undefined {
  return KNOWN_TYPES.includes(name) ? undefined : `not a known Voximplant callback type; did you mean ${closestName(name)}?`;
}

export function isForwarded(config: Pick<Config, 'alertTypes'>, type: string): boolean {
  return config.alertTypes === '*' || config.alertTypes.has(type);
}

function positiveNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`${name} must be a positive number, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set: the stack sets it; locally, \`npm start\` does`);
  return value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const prefix = (env[ENV.parameterPrefix] || DEFAULTS.parameterPrefix).replace(/\/+$/, '');
  if (!prefix.startsWith('/')) throw new Error(`${ENV.parameterPrefix} must start with '/', got ${JSON.stringify(prefix)}`);
  return {
    parameterPrefix: prefix,
    secretsTtlSeconds: positiveNumber(env, ENV.secretsTtlSeconds, DEFAULTS.secretsTtlSeconds),
    maxBodyBytes: positiveNumber(env, ENV.maxBodyBytes, DEFAULTS.maxBodyBytes),
    alertTypes: parseAlertTypes(env[ENV.alertTypes]),
    dedupeTableName: required(env, ENV.dedupeTableName),
    dedupeTtlDays: positiveNumber(env, ENV.dedupeTtlDays, DEFAULTS.dedupeTtlDays),
    topicArn: required(env, ENV.topicArn),
    retryQueueUrl: required(env, ENV.retryQueueUrl),
    consoleUrl: env[ENV.consoleUrl] || DEFAULTS.consoleUrl,
    ...(env[ENV.voximplantApiUrl] ? { voximplantApiUrl: env[ENV.voximplantApiUrl] } : {}),
    alertLanguage: parseAlertLanguage(env[ENV.alertLanguage]),
    ...(env[ENV.incidentTableName] ? { incidentTableName: env[ENV.incidentTableName] } : {}),
    ...(env[ENV.apiUrl] ? { apiUrl: env[ENV.apiUrl]!.replace(/\/+$/, '') } : {}),
    reminderSchedule: parseReminderSchedule(env[ENV.reminderSchedule]),
  };
}

/** The SSM parameter names under a prefix; the stack grants read on exactly these. */
export function parameterNames(prefix: string) {
  return {
    salt: `${prefix}/salt`,
    accountId: `${prefix}/account-id`,
    apiKey: `${prefix}/api-key`,
    saltPrevious: `${prefix}/salt-previous`,
    apiKeyPrevious: `${prefix}/api-key-previous`,
    /** Signs incidents' acknowledge links (lambda/incidents/ack-token.ts); optional: without it, alerts carry no link. */
    ackKey: `${prefix}/ack-key`,
  } as const;
}
