/**
 * `npm run configure`: writes the receiver's secrets to SSM Parameter Store (salt and API key as
 * SecureString, account id as String), in AWS or in the local stack, and checks which exist.
 * Values come from flags, VOX_* variables, or a prompt that does not echo. Secrets are never printed.
 */
import { createInterface } from 'node:readline/promises';
import { DeleteParametersCommand, GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DEFAULTS, parameterNames } from '../lambda/config';
import { errorMessage } from '../lambda/errors';
import { Failure, parseCommandLine, runCommand, UsageError } from './cli';
import { motoEnv } from './moto';
import { putSecrets, type VoxSecrets } from './provision';
import { normalizeSecrets, SALT_MAX_LENGTH, validateSecrets } from './secrets';

const USAGE = `Usage: npm run configure -- [options]

Writes the receiver's secrets to SSM Parameter Store under a prefix:
  <prefix>/salt (SecureString), <prefix>/account-id (String), <prefix>/api-key (SecureString),
  and during a rotation <prefix>/salt-previous and <prefix>/api-key-previous (SecureString).

Options:
  --prefix <path>       parameter prefix (default ${DEFAULTS.parameterPrefix}; with --local: the local stack's)
  --local               write to the running local stack (\`npm start\`) instead of AWS
  --check               list which of the 5 parameters exist (names only); exit 1 if a required one is missing
  --salt <text>         the callback salt (at most ${SALT_MAX_LENGTH} characters)      [or VOX_SALT]
  --account-id <n>      the Voximplant account id                             [or VOX_ACCOUNT_ID]
  --api-key <key>       the account's API key (the one GetAccountInfo shows)  [or VOX_API_KEY]
  --previous            write the *-previous pair instead (the values being rotated out):
                        --salt/--api-key, or VOX_SALT_PREVIOUS/VOX_API_KEY_PREVIOUS
  --remove-previous     delete the *-previous pair once a rotation is over
  -h, --help            this text

Missing values are asked for on a terminal without echo. Flags end up in your shell history:
prefer the prompt or VOX_* variables. AWS: your default credentials chain (AWS_PROFILE, AWS_REGION).`;

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
  const rows: Array<[string, boolean, 'SecureString' | 'String']> = [
    [names.salt, true, 'SecureString'],
    [names.accountId, true, 'String'],
    [names.apiKey, true, 'SecureString'],
    [names.saltPrevious, false, 'SecureString'],
    [names.apiKeyPrevious, false, 'SecureString'],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  console.log(`Parameters under ${prefix} (${where}):`);
  let missing = 0;
  for (const [name, required, expected] of rows) {
    const type = types.get(name);
    if (type) {
      const note = type === expected ? '' : `  (should be ${expected})`;
      console.log(`  ok       ${name.padEnd(width)}  ${type}${note}`);
    } else if (required) {
      missing += 1;
      console.log(`  MISSING  ${name.padEnd(width)}  required`);
    } else {
      console.log(`  -        ${name.padEnd(width)}  not set (optional: only during a rotation)`);
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
  });
  const modes = [values.check, values.previous, values['remove-previous']].filter(Boolean).length;
  if (modes > 1) throw new UsageError('use only one of --check, --previous, --remove-previous');

  let prefix = values.prefix ?? DEFAULTS.parameterPrefix;
  let where: string;
  let localPid: number | undefined;
  if (values.local) {
    // Imported here so `configure` against AWS does not depend on the local stack's module.
    const { readState, statePath } = await import('./local-stack');
    const state = readState();
    if (!state) throw new UsageError(`no local stack is running (no live state file at ${statePath()}): start it with \`npm start\``);
    if (state.motoEndpoint) Object.assign(process.env, motoEnv(state.motoEndpoint, state.region));
    else process.env.AWS_REGION = state.region;
    prefix = values.prefix ?? state.prefix;
    where = `local stack at ${state.url}`;
    localPid = state.pid;
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
    if (values.check) return await check(ssm, prefix, where);

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
        accountId: await valueOf({
          flag: values['account-id'],
          variable: 'VOX_ACCOUNT_ID',
          flagName: '--account-id',
          prompt: 'Account id: ',
          hidden: false,
        }),
        salt: await valueOf({
          flag: values.salt,
          variable: 'VOX_SALT',
          flagName: '--salt',
          prompt: `Salt, at most ${SALT_MAX_LENGTH} characters (hidden): `,
          hidden: true,
        }),
        apiKey: await valueOf({
          flag: values['api-key'],
          variable: 'VOX_API_KEY',
          flagName: '--api-key',
          prompt: 'API key (hidden): ',
          hidden: true,
        }),
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
    console.log(`Wrote ${written.join(', ')} in ${where}.`);
    const both = values.previous ? '; it accepts both the current and the previous pair until you run --remove-previous.' : '.';
    if (localPid !== undefined) {
      // The local stack restarts its function on SIGUSR2 (tools/local-stack.ts), dropping the cached secrets.
      process.kill(localPid, 'SIGUSR2');
      console.log(`The local stack (pid ${localPid}) restarts its function now, so the next request uses these values${both}`);
    } else {
      console.log(`The receiver picks up new values within its secrets cache TTL (SECRETS_TTL_SECONDS, 5 minutes by default)${both}`);
    }
    return 0;
  } finally {
    ssm.destroy();
  }
}

if (require.main === module) runCommand(USAGE, () => main(process.argv.slice(2)), awsHint);
