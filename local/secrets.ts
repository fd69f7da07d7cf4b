/**
 * Voximplant secrets on this side of SSM: where the local stack gets them (VOX_* from the environment, a .env
 * file, or generated demo values), the checks before they are stored or used (shared by `configure` and the
 * local stack, so the two cannot disagree), and reading them back from SSM the way the receiver does.
 */
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { parseEnv } from 'node:util';
import { SSMClient } from '@aws-sdk/client-ssm';
import { SsmSecrets } from '../lambda/aws/ssm-secrets';
import { MANAGEMENT_API } from '../lambda/voximplant/management-api';
import { UsageError } from './errors';
import type { VoxSecrets } from './provision';

/** Voximplant's limit for the callback salt (the stricter reading of its two statements: see MANAGEMENT_API). */
export const SALT_MAX_LENGTH = MANAGEMENT_API.callbackSaltMaxLength;

/** Control characters (newline, tab, escape...): never part of a salt, key or id typed into Voximplant's panel. */
const CONTROL = /\p{Cc}/u;
/** Voximplant account ids are positive decimal integers: digits, no leading zero, a safe integer. */
const ACCOUNT_ID = /^[1-9]\d*$/;

/**
 * Trims the spaces around the account id (digits only, so they can never be part of it) and says so.
 * The salt and API keys are left as given: validateSecrets refuses surrounding spaces there instead,
 * because Voximplant compares them exactly and guessing would turn a typo into a silent 401.
 */
export function normalizeSecrets<T extends Partial<VoxSecrets>>(secrets: T): { readonly secrets: T; readonly notes: string[] } {
  if (secrets.accountId === undefined || secrets.accountId === secrets.accountId.trim()) return { secrets, notes: [] };
  return { secrets: { ...secrets, accountId: secrets.accountId.trim() }, notes: ['removed the spaces around the account id'] };
}

/**
 * What is wrong with the values given (only the ones present are checked), one sentence each; never
 * includes the values. Refused: an empty value; control characters (a newline from a paste) anywhere;
 * spaces around a salt or key; a salt over 39 characters (Voximplant says "less than 40"); an account id that is not
 * a positive decimal safe integer without a leading zero.
 */
export function validateSecrets(secrets: Partial<VoxSecrets>): string[] {
  const problems: string[] = [];
  const checkText = (label: string, value: string | undefined, maxLength?: number) => {
    if (value === undefined) return;
    if (value.trim() === '') problems.push(`the ${label} is empty`);
    else if (CONTROL.test(value))
      problems.push(`the ${label} contains a control character (a newline or tab?): paste it again as one line`);
    else if (value !== value.trim()) {
      problems.push(
        `the ${label} starts or ends with a space: refused rather than trimmed, as Voximplant compares it exactly; enter it without the spaces`,
      );
    } else if (maxLength !== undefined && [...value].length > maxLength) {
      problems.push(`the ${label} is ${[...value].length} characters long: Voximplant allows at most ${maxLength}`);
    }
  };
  checkText('salt', secrets.salt, SALT_MAX_LENGTH);
  checkText('previous salt', secrets.saltPrevious, SALT_MAX_LENGTH);
  checkText('API key', secrets.apiKey);
  checkText('previous API key', secrets.apiKeyPrevious);
  if (secrets.accountId !== undefined) {
    const id = secrets.accountId;
    if (id.trim() === '') problems.push('the account id is empty');
    else if (!ACCOUNT_ID.test(id) || !Number.isSafeInteger(Number(id))) {
      problems.push(
        'the account id must be a positive whole number without a leading zero, at most 9007199254740991 (digits only, e.g. 1234567)',
      );
    }
  }
  return problems;
}

/** Where the local stack's secrets came from (printed at start, kept in the state file). */
export type SecretsOrigin = 'generated demo values' | 'environment (VOX_*)' | '.env file' | 'environment and .env file';

/**
 * Parses a .env file with Node's own parser (`util.parseEnv`, the dotenv format): `# comments` on their own
 * line or after a value are dropped, `export ` is allowed, quotes keep `#` and spaces inside a value.
 */
export function parseDotEnv(text: string): Record<string, string> {
  return { ...parseEnv(text) } as Record<string, string>;
}

/** Demo values: a random salt (within SALT_MAX_LENGTH), a 7-digit account id, a uuid API key. */
export function generateDemoSecrets(): VoxSecrets {
  return {
    salt: randomBytes(18).toString('base64url'),
    accountId: String(randomInt(1_000_000, 10_000_000)),
    apiKey: randomUUID(),
  };
}

const SECRET_VARIABLES = {
  salt: 'VOX_SALT',
  accountId: 'VOX_ACCOUNT_ID',
  apiKey: 'VOX_API_KEY',
  saltPrevious: 'VOX_SALT_PREVIOUS',
  apiKeyPrevious: 'VOX_API_KEY_PREVIOUS',
} as const;

/**
 * The local stack's secrets: each VOX_* value from `env` if set and non-empty, else from `dotEnv`; none at all
 * gives generated demo values. Throws UsageError (never echoing a value) when only some of the three required
 * values are set, or when validateSecrets finds a problem.
 */
export function resolveSecrets(
  env: NodeJS.ProcessEnv,
  dotEnv: Record<string, string> | undefined,
): { readonly secrets: VoxSecrets; readonly origin: SecretsOrigin } {
  const fromEnv = new Set<string>();
  const fromFile = new Set<string>();
  const value = (name: string): string | undefined => {
    if (env[name] !== undefined && env[name] !== '') {
      fromEnv.add(name);
      return env[name];
    }
    if (dotEnv?.[name] !== undefined && dotEnv[name] !== '') {
      fromFile.add(name);
      return dotEnv[name];
    }
    return undefined;
  };
  const found = {
    salt: value(SECRET_VARIABLES.salt),
    accountId: value(SECRET_VARIABLES.accountId),
    apiKey: value(SECRET_VARIABLES.apiKey),
    saltPrevious: value(SECRET_VARIABLES.saltPrevious),
    apiKeyPrevious: value(SECRET_VARIABLES.apiKeyPrevious),
  };
  if (fromEnv.size === 0 && fromFile.size === 0) return { secrets: generateDemoSecrets(), origin: 'generated demo values' };

  const missing = (['salt', 'accountId', 'apiKey'] as const).filter((key) => found[key] === undefined).map((key) => SECRET_VARIABLES[key]);
  if (missing.length > 0) {
    throw new UsageError(
      `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set, but other VOX_* values are: ` +
        'set VOX_SALT, VOX_ACCOUNT_ID and VOX_API_KEY (environment or .env), or none of them for demo values',
    );
  }
  const secrets: VoxSecrets = {
    salt: found.salt!,
    accountId: found.accountId!.trim(),
    apiKey: found.apiKey!,
    ...(found.saltPrevious !== undefined ? { saltPrevious: found.saltPrevious } : {}),
    ...(found.apiKeyPrevious !== undefined ? { apiKeyPrevious: found.apiKeyPrevious } : {}),
  };
  const problems = validateSecrets(secrets);
  if (problems.length > 0) throw new UsageError(problems.join('\n'));
  const origin: SecretsOrigin =
    fromFile.size === 0 ? 'environment (VOX_*)' : fromEnv.size === 0 ? '.env file' : 'environment and .env file';
  return { secrets, origin };
}

/** What SsmSecrets may log (its warnings, e.g. a previous pair that is incomplete); nothing by default. */
type SecretsLog = ConstructorParameters<typeof SsmSecrets>[3];
const QUIET_LOG: SecretsLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * The current secrets under `prefix` in SSM (whatever AWS_ENDPOINT_URL and the credentials chain point at),
 * read with the receiver's own reader (lambda/aws/ssm-secrets.ts): the same parameter names, the same checks,
 * the same errors (its typed error when a parameter is missing or unreadable). The previous pair is not returned.
 */
export async function readSecretsFromSsm(prefix: string, log: SecretsLog = QUIET_LOG): Promise<VoxSecrets> {
  const ssm = new SSMClient({});
  try {
    const secrets = await new SsmSecrets(ssm, prefix, 0, log).get();
    const [current] = secrets.credentials;
    return { accountId: secrets.accountId, salt: current.salt, apiKey: current.apiKey };
  } finally {
    ssm.destroy();
  }
}

/**
 * A Telegram bot token as @BotFather gives it (Bot API, "Authorizing your bot"): the bot's numeric id, a colon,
 * and a secret of letters, digits, '-' and '_' (35 characters today; at least 30 accepted here). A problem in
 * words, never quoting the token; undefined when it looks right.
 */
export function telegramTokenProblem(token: string): string | undefined {
  return /^\d{1,20}:[A-Za-z0-9_-]{30,100}$/.test(token)
    ? undefined
    : "not a Telegram bot token: expected the bot's id, ':' and the secret, as @BotFather gives it (123456789:AA...)";
}
