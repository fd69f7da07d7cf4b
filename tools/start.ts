/**
 * `npm start`: the whole receiver on your machine (local/stack.ts: moto server as AWS, the same Lambda code
 * behind an API Gateway-like server on http://127.0.0.1:3000/), with every request and every alert printed the
 * way a person would read them. This file is the command: flags, input checks, printing, signals.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAlertTypes, unknownTypeNames, DEFAULTS, parameterNames } from '../lambda/config';
import { ENV } from '../lambda/contract';
import { managementApiBaseUrl } from '../lambda/voximplant/management-api';
import { findMotoPython, MotoMissingError } from '../local/moto';
import { VoximplantStandin } from '../local/voximplant-standin';
import { parseAlert, type InboxMessage, type VoxSecrets } from '../local/provision';
import { parseDotEnv, resolveSecrets, type SecretsOrigin } from '../local/secrets';
import { startLocalStack, type LocalStack } from '../local/stack';
import { ROOT, statePath } from '../local/state';
import { Failure, parseCommandLine, runCommand, UsageError } from './cli';
import { bold, dim, formatAlert, formatRequestLine, green, red } from './print';
import { parseReminderSchedule } from '../lambda/incidents/schedule';

function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}

function fail(message: string): void {
  process.stderr.write(`${red('error:')} ${message}\n`);
}

function printAlert(message: InboxMessage): void {
  const alert = parseAlert(message);
  say(alert ? formatAlert(alert, message) : `${bold('ALERT')} (unreadable) ${message.subject ?? ''}\n${message.message}`);
}

const USAGE = `Usage: npm start [-- options]

Runs the receiver locally: moto server as AWS, the Lambda behind an API Gateway-like HTTP server,
and every alert printed as it arrives.

Options:
  --port <n>            port to listen on (default: PORT or 3000)
  --host <addr>         address to bind (default: HOST or 127.0.0.1; 0.0.0.0 for a tunnel in a container)
  --aws                 use real AWS (your credentials chain) instead of moto; creates uniquely named
                        resources and deletes them on exit (also: LOCAL_STACK_AWS=1)
  --env-file <path>     where to read VOX_* values (default: .env in the project root)
  --voximplant-api <url>  the Voximplant Management API the function calls (a stand-in; http only to
                        loopback), as VOXIMPLANT_API_URL (also read from it); default: none (no confirmation)
  --voximplant-standin  start a stand-in Management API on loopback for this stack's own account (balance
                        4.20 USD, no callback URL yet) and point the function at it: balance alerts are
                        confirmed, and \`configure --local --connect\` and \`check-account --local\` work offline
  --reminder-schedule <s>  incident reminders: offsets from the opening, then the repeat (as -c reminderSchedule,
                        and REMINDER_SCHEDULE), e.g. 1m,2m,5m for a demo; default 30m,2h,6h,12h. The notifier
                        runs every minute, as in AWS
  --telegram            run the Telegram relay too, against a stand-in Bot API on loopback, and print each
                        message it sends (critical and warning alerts, the chat default; moto only)
  --quiet-lambda-logs   hide the function's own JSON logs and metrics
  --no-print-alerts     do not print alerts: the inbox they are printed from is not subscribed to the topic
                        (for \`npm run load\`: under moto every subscriber costs a signed copy of each alert)
  -h, --help            this text

Secrets: VOX_SALT, VOX_ACCOUNT_ID, VOX_API_KEY (and optional VOX_SALT_PREVIOUS, VOX_API_KEY_PREVIOUS)
from the environment or the .env file; without them, demo values are generated and printed.
Other receiver settings come from the environment as in AWS (ALERT_TYPES, SECRETS_TTL_SECONDS, ...).`;

async function main(argv: string[]): Promise<number> {
  const values = parseCommandLine(argv, USAGE, {
    port: { type: 'string' },
    host: { type: 'string' },
    aws: { type: 'boolean', default: false },
    'env-file': { type: 'string' },
    'voximplant-api': { type: 'string' },
    'voximplant-standin': { type: 'boolean', default: false },
    'reminder-schedule': { type: 'string' },
    'quiet-lambda-logs': { type: 'boolean', default: false },
    telegram: { type: 'boolean', default: false },
    'no-print-alerts': { type: 'boolean', default: false },
  });

  const portText = values.port ?? process.env.PORT ?? '3000';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65_535) {
    fail(`port must be a number from 0 to 65535, got ${JSON.stringify(portText)}`);
    return 2;
  }
  const host = values.host ?? process.env.HOST ?? '127.0.0.1';
  const useAws = values.aws || ['1', 'true', 'yes'].includes((process.env.LOCAL_STACK_AWS ?? '').toLowerCase());
  // In AWS the relay's queue and token would be real resources nobody cleans up: the stand-in is a local toy.
  if (useAws && values.telegram) throw new UsageError('--telegram runs on moto only: drop --aws');
  const stateFile = statePath();
  const printAlerts = !values['no-print-alerts'];

  // 1. Everything that can be wrong with the input, before anything starts.
  const envFile = values['env-file'] ? resolve(values['env-file']) : join(ROOT, '.env');
  let dotEnv: Record<string, string> | undefined;
  if (existsSync(envFile)) {
    dotEnv = parseDotEnv(readFileSync(envFile, 'utf8'));
  } else if (values['env-file']) {
    fail(`--env-file ${envFile} does not exist`);
    return 2;
  }
  let motoPython: string | undefined;
  if (!useAws) {
    try {
      motoPython = (await findMotoPython()).python;
    } catch (error) {
      if (!(error instanceof MotoMissingError)) throw error;
      fail(error.message);
      return 1;
    }
  }
  const reminderSchedule = values['reminder-schedule'] ?? (process.env[ENV.reminderSchedule] || undefined);
  try {
    parseReminderSchedule(reminderSchedule);
  } catch (error) {
    fail(`--reminder-schedule / ${ENV.reminderSchedule}: ${(error as Error).message}`);
    return 2;
  }
  const badTypes = unknownTypeNames(parseAlertTypes(process.env[ENV.alertTypes] || undefined));
  if (badTypes.length > 0) {
    fail(`ALERT_TYPES: ${badTypes.join('; ')} (npm run send-callback -- --list-types lists them, '*' forwards all)`);
    return 2;
  }
  if (values['voximplant-standin'] && values['voximplant-api'] !== undefined) {
    fail('--voximplant-standin starts its own Management API: leave out --voximplant-api');
    return 2;
  }
  let voximplantApiUrl = values['voximplant-api'] ?? (process.env[ENV.voximplantApiUrl] || undefined);
  if (voximplantApiUrl !== undefined) {
    try {
      managementApiBaseUrl({ [ENV.voximplantApiUrl]: voximplantApiUrl }); // the function's own check, before anything starts
    } catch (error) {
      fail(`--voximplant-api: ${(error as Error).message}`);
      return 2;
    }
  }
  let secrets: VoxSecrets;
  let origin: SecretsOrigin;
  try {
    ({ secrets, origin } = resolveSecrets(process.env, dotEnv));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    fail(error.message);
    return 2;
  }

  // 2. From here on, everything started is stopped on exit.
  let stopping = false;
  let stoppingSince = 0;
  let standin: VoximplantStandin | undefined;
  /** Aborted by Ctrl-C: a moto server still starting is killed at once instead of awaited. */
  const startup = new AbortController();
  let starting: Promise<LocalStack> | undefined;
  const stop = async (code: number): Promise<never> => {
    if (stopping) {
      // tsx relays one Ctrl-C a second time within a few ms: that is still the first.
      if (Date.now() - stoppingSince < 500) return new Promise<never>(() => undefined);
      // A second Ctrl-C: do not wait any longer. moto ends with us (its stdin closes, see local/moto.ts).
      process.exit(code === 0 ? 130 : code);
    }
    stopping = true;
    stoppingSince = Date.now();
    startup.abort();
    say(dim('\nstopping...'));
    const stack = await starting?.catch(() => undefined); // a failed start has stopped what it started
    const report = await stack?.stop();
    await standin?.close();
    if (report && report.leftInAws.length > 0) fail(`could not delete, please delete by hand:\n  ${report.leftInAws.join('\n  ')}`);
    else if (report && useAws) say(dim('deleted the AWS resources this run created'));
    if (report?.motoPid !== undefined) say(dim(`moto server (pid ${report.motoPid}) stopped`));
    say(dim('stopped'));
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop(0));
  // A bug in here must not leave moto running.
  const crash = (error: unknown) => {
    fail(`unexpected error: ${(error as Error)?.stack ?? String(error)}`);
    void stop(1);
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);

  // 3. The stack (and the Management API stand-in it is pointed at, if asked).
  let stack: LocalStack;
  try {
    if (values['voximplant-standin']) {
      standin = await VoximplantStandin.start({
        account: { accountId: secrets.accountId, apiKey: secrets.apiKey, accountName: 'acme', balance: 4.2 },
      });
      voximplantApiUrl = standin.url;
    }
    starting = startLocalStack({
      secrets,
      secretsOrigin: origin,
      port,
      host,
      aws: useAws,
      motoPython,
      stateFile,
      voximplantApiUrl,
      quietFunctionLogs: values['quiet-lambda-logs'],
      notifier: { ...(reminderSchedule ? { reminderSchedule } : {}) },
      signal: startup.signal,
      log: (line) => say(line.startsWith('»') ? `${dim('»')}${line.slice(1)}` : dim(line)),
      onError: fail,
      onRequest: ({ method, path, response, ms }) => say(formatRequestLine(method, path, response, ms)),
      ...(printAlerts ? { onAlert: printAlert } : {}),
      ...(values.telegram ? { onTelegram: (text: string) => say(`${bold('TELEGRAM')}\n${text}\n`) } : {}),
    });
    stack = await starting;
  } catch (error) {
    if (stopping) return new Promise<number>(() => undefined); // stop() exits
    const plain = error instanceof Failure || error instanceof MotoMissingError;
    fail(plain ? (error as Error).message : ((error as Error).stack ?? String(error)));
    return 1;
  }
  // `configure --local` wrote new secrets: start a new "container" so they apply to the next request,
  // instead of after the function's secrets cache TTL (5 minutes).
  process.on('SIGUSR2', () => {
    if (stopping) return;
    stack.restartFunction();
    say(`${dim('»')} secrets changed (configure --local): function restarted as a new container; the next request reads them from SSM`);
  });
  printBanner(stack, origin, printAlerts, stateFile, voximplantApiUrl, standin !== undefined, values.telegram);
  return new Promise<number>(() => undefined); // stop() exits
}

/** What the user needs to know once the stack is ready. */
function printBanner(
  stack: LocalStack,
  origin: SecretsOrigin,
  printAlerts: boolean,
  stateFile: string,
  voximplantApiUrl: string | undefined,
  standin: boolean,
  telegram: boolean,
): void {
  const { resources, secrets, url } = stack;
  const names = parameterNames(resources.parameterPrefix);
  say();
  say(bold('voximplant-alerts local stack'));
  say(
    `  AWS:        ${stack.moto ? `moto server at ${stack.moto.endpoint} (moto pid ${stack.moto.pid})` : `real AWS, region ${stack.region} — resources are deleted on Ctrl-C`}`,
  );
  say(`  Receiver:   ${url}  (local stack pid ${process.pid})`);
  if (origin === 'generated demo values') {
    say(`  Secrets:    generated demo values (not real secrets; put VOX_* in .env to use your own):`);
    say(`                VOX_SALT=${secrets.salt}`);
    say(`                VOX_ACCOUNT_ID=${secrets.accountId}`);
    say(`                VOX_API_KEY=${secrets.apiKey}`);
  } else {
    say(`  Secrets:    from the ${origin} (not shown); account id ${secrets.accountId}`);
  }
  say(`  Parameters: ${names.salt}, ${names.accountId}, ${names.apiKey}, ${names.ackKey} (signs acknowledge links)`);
  say(`  Topic:      ${resources.topicArn}`);
  say(`  Table:      ${resources.tableName}`);
  if (process.env[ENV.incidentTableName] === '') say(`  Incidents:  off (${ENV.incidentTableName} is empty): every alert a one-off`);
  else {
    say(
      `  Incidents:  ${resources.incidentTableName}; the notifier runs every minute, reminders at ${stack.functionEnv[ENV.reminderSchedule] ?? '30m,2h,6h,12h'}`,
    );
    say(`              (offsets from the opening, the last repeats; --reminder-schedule 1m,2m to see them soon)`);
  }
  if (telegram) say(`  Telegram:   a stand-in Bot API on loopback; each message the relay posts is printed as TELEGRAM`);
  say(`  Inbox:      ${resources.queueUrl}${printAlerts ? '' : '  (not subscribed: --no-print-alerts)'}`);
  say(`  Retries:    ${resources.retryQueueUrl}  (consumed by the same code, as the stack's event source does)`);
  say(`  Forwarding: ALERT_TYPES=${process.env[ENV.alertTypes] || DEFAULTS.alertTypes}  (ALERT_TYPES='*' forwards every type)`);
  if (voximplantApiUrl !== undefined)
    say(`  Voximplant: ${stack.functionEnv[ENV.voximplantApiUrl]}  (${ENV.voximplantApiUrl} for the function)`);
  if (standin) {
    say(`              a stand-in Management API for account ${stack.secrets.accountId} (balance 4.20 USD, no callback URL yet):`);
    say(`              npm run configure -- --local --connect   then   npm run check-account -- --local`);
  }
  say(`  State file: ${stateFile}`);
  say();
  say(`  Send a test callback from another terminal:  ${bold('npm run send-callback')}`);
  say(`      a forged one:  npm run send-callback -- --forged      more: npm run send-callback -- --help`);
  say();
  say(`${green('Ready:')} ${url}  — Ctrl-C to stop`);
}

if (require.main === module) runCommand(USAGE, () => main(process.argv.slice(2)));
