/**
 * `npm run configure`: writes the receiver's secrets to SSM Parameter Store (salt and API key as
 * SecureString, account id as String), in AWS or in the local stack, and checks which exist.
 * With `--connect` it also links the Voximplant account to the stack through the Management API, and
 * `--check` then compares the account's callback settings with the stack's (tools/connect.ts).
 * Values come from flags, VOX_* variables, or a prompt that does not echo. Secrets are never printed.
 */
import { createInterface } from 'node:readline/promises';
import { DeleteParametersCommand, GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DEFAULTS, parameterNames } from '../lambda/config';
import { errorMessage } from '../lambda/errors';
import { ENV } from '../lambda/contract';
import { managementApiBaseUrl } from '../lambda/voximplant/management-api';
import { STACK_NAME } from '../infra/stack-name';
import { ACCOUNT_LINK, parseMinBalance, unreachableWebhookProblem } from './account-link';
import { Failure, parseCommandLine, runCommand, UsageError } from './cli';
import { checkAccountLink, connectAccount, readServiceAccountFile, stackWebhookUrl } from './connect';
import { ensureAckKey, putSecrets, putTelegramToken, type VoxSecrets } from '../local/provision';
import { normalizeSecrets, SALT_MAX_LENGTH, telegramTokenProblem, validateSecrets } from '../local/secrets';

const USAGE = `Usage: npm run configure -- [options]

Writes the receiver's secrets to SSM Parameter Store under a prefix:
  <prefix>/salt (SecureString), <prefix>/account-id (String), <prefix>/api-key (SecureString),
  and during a rotation <prefix>/salt-previous and <prefix>/api-key-previous (SecureString).
Creates <prefix>/ack-key (SecureString, 32 random bytes: signs incident alerts' acknowledge links) when it
does not exist; an existing one is kept. Its value is never printed.

Options:
  --prefix <path>       parameter prefix (default ${DEFAULTS.parameterPrefix}; with --local: the local stack's)
  --local               write to the running local stack (\`npm start\`) instead of AWS
  --check               list which of the 6 parameters exist (names only), then compare Voximplant's callback_url
                        and callback_salt with the stack's URL and salt (never printed); exit 1 on a missing
                        parameter or a mismatch (one line each, with the fix), 2 if Voximplant could not be asked
  --connect             link the Voximplant account to this stack: generate a random salt, store it with the
                        account id and API key, and set it and the stack's WebhookUrl in Voximplant
                        (SetAccountInfo). Refuses when the account's callbacks go to another URL
  --replace             with --connect: take the account's callbacks over from the URL it has now
  --min-balance <n>     with --connect: set min_balance_to_notify (the balance under which Voximplant sends
                        min_balance), in the account's currency
  --service-account <file>  with --connect: the service-account credentials JSON (control panel > Service
                        accounts); stored as <prefix>/service-account (SecureString) and used to call the API
  --stack-name <name>   the deployed stack whose WebhookUrl output to use (default ${STACK_NAME})
  --webhook-url <url>   use this URL instead of the stack's (a tunnel to the local stack)
  --wait <seconds>      with --connect, when SSM held a salt: wait this long between storing the new salt and
                        setting it in Voximplant, so every receiver has dropped the old one from its cache
                        (default ${DEFAULTS.secretsTtlSeconds}, the receiver's SECRETS_TTL_SECONDS); 0 skips it
  --salt <text>         the callback salt (at most ${SALT_MAX_LENGTH} characters)      [or VOX_SALT]
  --account-id <n>      the Voximplant account id                             [or VOX_ACCOUNT_ID]
  --api-key <key>       the account's API key (the one GetAccountInfo shows)  [or VOX_API_KEY]
  --previous            write the *-previous pair instead (the values being rotated out):
                        --salt/--api-key, or VOX_SALT_PREVIOUS/VOX_API_KEY_PREVIOUS
  --remove-previous     delete the *-previous pair once a rotation is over
  --telegram-bot-token  store the Telegram bot token (from @BotFather) as <prefix>/telegram-bot-token
                        (SecureString), for -c telegramChatId=; read from TELEGRAM_BOT_TOKEN or asked
                        (hidden), never from the command line
  -h, --help            this text

Missing values are asked for on a terminal without echo. Flags end up in your shell history:
prefer the prompt or VOX_* variables. AWS: your default credentials chain (AWS_PROFILE, AWS_REGION).
The Management API is ${ENV.voximplantApiUrl} (default the public host); --connect and --check need it.`;

/** Reads a line without echoing it (raw mode): the value never appears on screen. */
async function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise<string>((resolve, reject) => {
    let value = '';
    const finish = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') {
          finish();
          resolve(value);
          return;
        }
        if (ch === '\u0003' || (ch === '\u0004' && value === '')) {
          finish();
          reject(new UsageError('cancelled'));
          return;
        }
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else if (ch >= ' ') value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

async function promptVisible(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

interface Source {
  readonly flag: string | undefined;
  readonly variable: string;
  readonly flagName: string;
  readonly prompt: string;
  readonly hidden: boolean;
}

const ACCOUNT_ID_SOURCE = { variable: 'VOX_ACCOUNT_ID', flagName: '--account-id', prompt: 'Account id: ', hidden: false } as const;
const TELEGRAM_TOKEN_SOURCE = {
  variable: 'TELEGRAM_BOT_TOKEN',
  flagName: '--telegram-bot-token',
  prompt: 'Telegram bot token (hidden): ',
  hidden: true,
} as const;
const API_KEY_SOURCE = { variable: 'VOX_API_KEY', flagName: '--api-key', prompt: 'API key (hidden): ', hidden: true } as const;

async function valueOf(source: Source): Promise<string> {
  if (source.flag !== undefined) return source.flag;
  const fromEnv = process.env[source.variable];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (!process.stdin.isTTY) {
    throw new UsageError(`${source.flagName} is missing: pass it, set ${source.variable}, or run on a terminal to be asked`);
  }
  return source.hidden ? promptHidden(source.prompt) : promptVisible(source.prompt);
}

function awsHint(error: unknown): string {
  const text = errorMessage(error);
  if (/Region is missing/i.test(text)) return `${text}\nSet AWS_REGION (or use a profile with a region).`;
  if (/credential/i.test(text)) return `${text}\nConfigure AWS credentials (aws configure, AWS_PROFILE, or SSO login).`;
  if (/AccessDenied|not authorized/i.test(text))
    return `${text}\nYour identity needs ssm:PutParameter/GetParameters on the prefix (and kms:Encrypt for SecureString).`;
  return text;
}

async function check(ssm: SSMClient, prefix: string, where: string): Promise<number> {
  const names = parameterNames(prefix);
  const { Parameters = [] } = await ssm.send(new GetParametersCommand({ Names: Object.values(names), WithDecryption: false }));
  const types = new Map(Parameters.map((p) => [p.Name!, p.Type!]));
  const ROTATION = 'optional: only during a rotation';
  /** [name, required, type, why it may be absent] */
  const rows: Array<[string, boolean, 'SecureString' | 'String', string?]> = [
    [names.salt, true, 'SecureString'],
    [names.accountId, true, 'String'],
    [names.apiKey, true, 'SecureString'],
    [names.saltPrevious, false, 'SecureString', ROTATION],
    [names.apiKeyPrevious, false, 'SecureString', ROTATION],
    [names.ackKey, false, 'SecureString', 'optional: without it incident alerts carry no acknowledge link; `npm run configure` creates it'],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  console.log(`Parameters under ${prefix} (${where}):`);
  let missing = 0;
  for (const [name, required, expected, optional] of rows) {
    const type = types.get(name);
    if (type) {
      const note = type === expected ? '' : `  (should be ${expected})`;
      console.log(`  ok       ${name.padEnd(width)}  ${type}${note}`);
    } else if (required) {
      missing += 1;
      console.log(`  MISSING  ${name.padEnd(width)}  required`);
    } else {
      console.log(`  -        ${name.padEnd(width)}  not set (${optional})`);
    }
  }
  if (missing > 0) {
    console.log(
      `${missing} required parameter(s) missing: write them with \`npm run configure${prefix === DEFAULTS.parameterPrefix ? '' : ` -- --prefix ${prefix}`}\`.`,
    );
    return 1;
  }
  console.log('All required parameters exist.');
  return 0;
}

/** Restarts the local stack's function (it does so on SIGUSR2, local/stack.ts restartFunction), dropping its cached secrets; says so. */
function restartLocalStack(pid: number): string {
  // The local stack restarts its function on SIGUSR2 (local/stack.ts: restartFunction, wired in tools/start.ts), dropping the cached secrets.
  process.kill(pid, 'SIGUSR2');
  return `The local stack (pid ${pid}) restarts its function now, so the next request uses these values`;
}

interface LinkValues {
  readonly connect: boolean;
  readonly check: boolean;
  readonly replace: boolean;
  readonly salt?: string;
  readonly 'min-balance'?: string;
  readonly 'service-account'?: string;
  readonly 'stack-name'?: string;
  readonly 'webhook-url'?: string;
  readonly wait?: string;
}

/** The account-link flags checked: which go with which mode, and the parts of the command lines printed as fixes. */
function linkFlags(values: LinkValues) {
  const connectOnly = (['replace', 'min-balance', 'service-account', 'wait'] as const).find(
    (flag) => values[flag] !== undefined && values[flag] !== false,
  );
  if (!values.connect && connectOnly) throw new UsageError(`--${connectOnly} goes with --connect`);
  const targetOnly = (['stack-name', 'webhook-url'] as const).find((flag) => values[flag] !== undefined);
  if (!values.connect && !values.check && targetOnly) throw new UsageError(`--${targetOnly} goes with --connect or --check`);
  if (values.connect && values.salt !== undefined) throw new UsageError('--connect generates the salt itself: drop --salt');
  let minBalance: number | undefined;
  if (values['min-balance'] !== undefined) {
    const parsed = parseMinBalance(values['min-balance']);
    if ('problem' in parsed) throw new UsageError(parsed.problem);
    minBalance = parsed.value;
  }
  const wait = values.wait ?? String(DEFAULTS.secretsTtlSeconds);
  if (!/^\d{1,5}$/.test(wait)) throw new UsageError(`--wait must be a whole number of seconds, got ${JSON.stringify(wait)}`);
  if (values['webhook-url'] !== undefined && !/^https?:\/\//.test(values['webhook-url'])) {
    throw new UsageError(`--webhook-url must be an http(s) URL, got ${JSON.stringify(values['webhook-url'])}`);
  }
  const quoted = (text: string) => (/^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`);
  const flag = (name: string, value: string | undefined) => (value === undefined ? '' : ` --${name} ${quoted(value)}`);
  return {
    minBalance,
    waitSeconds: Number(wait),
    /** Which stack: part of every fix command. */
    targetFlags: flag('stack-name', values['stack-name']) + flag('webhook-url', values['webhook-url']),
    /** What --connect was asked to do besides the link itself: repeated in the command that finishes it. */
    connectFlags:
      (values.replace ? ' --replace' : '') +
      flag('min-balance', values['min-balance']) +
      flag('service-account', values['service-account']),
  };
}

/**
 * `--connect`'s credentials: the account id (flag, VOX_ACCOUNT_ID, the service-account file, or the prompt),
 * the API key (the callback hash needs it whatever calls the API), and the service-account file if given.
 * Throws UsageError when a value cannot work.
 */
async function connectCredentials(values: { 'account-id'?: string; 'api-key'?: string; 'service-account'?: string }) {
  const serviceAccount = values['service-account'] === undefined ? undefined : readServiceAccountFile(values['service-account']);
  const fromFile = serviceAccount?.credentials.accountId;
  const given = values['account-id'] ?? (process.env.VOX_ACCOUNT_ID || undefined);
  const normalized = normalizeSecrets({
    accountId:
      given === undefined && fromFile !== undefined ? fromFile : await valueOf({ ...ACCOUNT_ID_SOURCE, flag: values['account-id'] }),
    apiKey: await valueOf({ ...API_KEY_SOURCE, flag: values['api-key'] }),
  });
  if (process.env.VOX_SALT) normalized.notes.push('VOX_SALT is not used: --connect generates a new salt');
  for (const note of normalized.notes) console.log(`note: ${note}`);
  const { accountId, apiKey } = normalized.secrets;
  const problems = validateSecrets(normalized.secrets);
  if (fromFile !== undefined && fromFile !== accountId)
    problems.push(`the service account belongs to account ${fromFile}, not ${accountId}`);
  if (problems.length > 0) throw new UsageError(`nothing changed: ${problems.join('; ')}`);
  return { accountId, apiKey, serviceAccount };
}

async function main(argv: string[]): Promise<number> {
  const values = parseCommandLine(argv, USAGE, {
    prefix: { type: 'string' },
    local: { type: 'boolean', default: false },
    check: { type: 'boolean', default: false },
    salt: { type: 'string' },
    'account-id': { type: 'string' },
    'api-key': { type: 'string' },
    previous: { type: 'boolean', default: false },
    'remove-previous': { type: 'boolean', default: false },
    connect: { type: 'boolean', default: false },
    replace: { type: 'boolean', default: false },
    'min-balance': { type: 'string' },
    'service-account': { type: 'string' },
    'stack-name': { type: 'string' },
    'webhook-url': { type: 'string' },
    wait: { type: 'string' },
    'telegram-bot-token': { type: 'boolean', default: false },
  });
  const modes = [values.check, values.connect, values.previous, values['remove-previous'], values['telegram-bot-token']].filter(
    Boolean,
  ).length;
  if (modes > 1) throw new UsageError('use only one of --check, --connect, --previous, --remove-previous, --telegram-bot-token');
  const link = linkFlags(values);

  let prefix = values.prefix ?? DEFAULTS.parameterPrefix;
  let where: string;
  let localPid: number | undefined;
  let localUrl: string | undefined;
  if (values.local) {
    // Imported here so `configure` against AWS does not depend on the local stack's module.
    const state = (await import('../local/attach')).useLocalStack();
    prefix = values.prefix ?? state.prefix;
    where = `local stack at ${state.url}`;
    localPid = state.pid;
    localUrl = state.url;
  } else {
    where = 'AWS';
  }
  prefix = prefix.replace(/\/+$/, '');
  if (!prefix.startsWith('/')) throw new UsageError(`--prefix must start with '/', got ${JSON.stringify(prefix)}`);

  const ssm = new SSMClient({});
  try {
    if (!values.local) {
      try {
        where = `AWS, region ${await ssm.config.region()}`;
      } catch (error) {
        throw new Failure(awsHint(error));
      }
    }
    const command = `npm run configure --${values.local ? ' --local' : ''}${values.prefix === undefined ? '' : ` --prefix ${prefix}`}${link.targetFlags}`;
    const webhookUrl = () => values['webhook-url'] ?? localUrl ?? stackWebhookUrl(values['stack-name'] ?? STACK_NAME);
    if (values.check) {
      const code = await check(ssm, prefix, where);
      if (code !== 0) return code;
      if (values.local && !process.env[ENV.voximplantApiUrl]) {
        console.log(
          `Account link: not checked (the local stack's account is not a Voximplant account; set ${ENV.voximplantApiUrl} to a stand-in).`,
        );
        return 0;
      }
      return await checkAccountLink(ssm, { prefix, webhookUrl: await webhookUrl(), command, apiTimeoutMs: ACCOUNT_LINK.apiTimeoutMs });
    }
    if (values.connect) {
      const url = await webhookUrl();
      const problem = unreachableWebhookProblem(url, managementApiBaseUrl());
      if (problem) throw new UsageError(problem);
      return await connectAccount(ssm, {
        prefix,
        where,
        webhookUrl: url,
        ...(await connectCredentials(values)),
        replace: values.replace,
        minBalance: link.minBalance,
        waitSeconds: link.waitSeconds,
        restartLocal: localPid === undefined ? undefined : () => restartLocalStack(localPid),
        command,
        finishCommand: `${command} --connect${link.connectFlags}`,
        apiTimeoutMs: ACCOUNT_LINK.apiTimeoutMs,
      });
    }

    if (values['telegram-bot-token']) {
      const token = (await valueOf({ ...TELEGRAM_TOKEN_SOURCE, flag: undefined })).trim();
      const problem = telegramTokenProblem(token);
      if (problem) throw new UsageError(`not written: ${problem}`);
      const name = await putTelegramToken(ssm, prefix, token);
      console.log(`Wrote ${name} (SecureString) in ${where}. The Telegram relay reads it within 5 minutes (its cache).`);
      return 0;
    }

    const names = parameterNames(prefix);
    if (values['remove-previous']) {
      await ssm.send(new DeleteParametersCommand({ Names: [names.saltPrevious, names.apiKeyPrevious] }));
      console.log(`Deleted ${names.saltPrevious} and ${names.apiKeyPrevious} (if they existed) in ${where}.`);
      if (localPid !== undefined) process.kill(localPid, 'SIGUSR2'); // see below
      console.log('Callbacks signed with the previous salt/API key are refused once the receiver refreshes its cache.');
      return 0;
    }

    let secrets: Partial<VoxSecrets>;
    if (values.previous) {
      if (values['account-id'] !== undefined) throw new UsageError('--previous writes the salt and API key only: drop --account-id');
      secrets = {
        saltPrevious: await valueOf({
          flag: values.salt,
          variable: 'VOX_SALT_PREVIOUS',
          flagName: '--salt',
          prompt: 'Previous salt (hidden): ',
          hidden: true,
        }),
        apiKeyPrevious: await valueOf({
          flag: values['api-key'],
          variable: 'VOX_API_KEY_PREVIOUS',
          flagName: '--api-key',
          prompt: 'Previous API key (hidden): ',
          hidden: true,
        }),
      };
    } else {
      secrets = {
        accountId: await valueOf({ ...ACCOUNT_ID_SOURCE, flag: values['account-id'] }),
        salt: await valueOf({
          flag: values.salt,
          variable: 'VOX_SALT',
          flagName: '--salt',
          prompt: `Salt, at most ${SALT_MAX_LENGTH} characters (hidden): `,
          hidden: true,
        }),
        apiKey: await valueOf({ ...API_KEY_SOURCE, flag: values['api-key'] }),
      };
    }
    const normalized = normalizeSecrets(secrets);
    for (const note of normalized.notes) console.log(`note: ${note}`);
    secrets = normalized.secrets;
    const problems = validateSecrets(secrets);
    if (problems.length > 0) throw new UsageError(`not written: ${problems.join('; ')}`);

    // putSecrets writes only the values present, so a partial set (the previous pair) is fine.
    await putSecrets(ssm, prefix, secrets as VoxSecrets);
    const written = values.previous
      ? [`${names.saltPrevious} (SecureString)`, `${names.apiKeyPrevious} (SecureString)`]
      : [`${names.salt} (SecureString)`, `${names.accountId} (String)`, `${names.apiKey} (SecureString)`];
    if (!values.previous && (await ensureAckKey(ssm, prefix))) written.push(`${names.ackKey} (SecureString, a new random acknowledge key)`);
    console.log(`Wrote ${written.join(', ')} in ${where}.`);
    const both = values.previous ? '; it accepts both the current and the previous pair until you run --remove-previous.' : '.';
    if (localPid !== undefined) {
      console.log(`${restartLocalStack(localPid)}${both}`);
    } else {
      console.log(`The receiver picks up new values within its secrets cache TTL (SECRETS_TTL_SECONDS, 5 minutes by default)${both}`);
    }
    return 0;
  } finally {
    ssm.destroy();
  }
}

if (require.main === module) runCommand(USAGE, () => main(process.argv.slice(2)), awsHint);
