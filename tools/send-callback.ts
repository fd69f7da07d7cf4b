/**
 * `npm run send-callback`: sends realistic, signed Voximplant callbacks to the receiver and checks the answer.
 * Locally (`npm start` running) it also waits for the alerts on the topic and prints them; against a
 * deployed URL it is the post-deploy smoke test.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline/promises';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Alert } from '../lambda/model';
import { DEFAULTS } from '../lambda/config';
import { errorMessage } from '../lambda/errors';
import type { Counts } from '../lambda/pipeline';
import { KNOWN_TYPES, SMOKE_TEST_ACCOUNT_NAME } from '../lambda/render';
import { envelope, sampleCallback } from '../local/callbacks';
import { Failure, parseCommandLine, runCommand, UsageError, wholeNumber } from './cli';
import { motoEnv } from '../local/moto';
import { parseAlert, readInbox, type InboxMessage, type VoxSecrets } from '../local/provision';
import { readSecretsFromSsm } from '../local/secrets';
import { readState, statePath, type LocalStackState } from '../local/state';
import { formatAlert } from './print';

const DEFAULT_URL = 'http://localhost:3000/';
/** How long to watch the inbox for alerts that must NOT arrive (forged, wrong account, duplicates). */
const QUIET_WINDOW_MS = 1500;

const USAGE = `Usage: npm run send-callback -- [options]

Sends signed Voximplant callbacks to the receiver and checks the response (and, locally, the alerts).

Options:
  --url <url>          receiver URL (default: the running local stack, else ${DEFAULT_URL})
  --type <types>       callback type (default min_balance), or several comma-separated, or 'all';
                       the callbacks cycle through them (--list-types shows the known ones)
  --count <n>          how many callbacks to send (default 1, or one per type given)
  --batch <n>          callbacks per request (default 1)
  --callback-id <n>    the first callback id; the others follow (default: time-based, unique)
  --forged             sign with a wrong salt/API key: expects 401 and no alert. Against a deployment
                       this (and --wrong-account) trips the CallbacksUnverifiable alarm: an email to
                       everyone on the operations topic, by design
  --wrong-account      use another account id (signed for it): expects 401 and no alert
  --duplicate          send every request twice: expects the repeat to count as duplicates, no second alert
  --prefix <path>      SSM prefix holding the secrets of a deployed receiver (default ${DEFAULTS.parameterPrefix})
  --timeout <ms>       how long to wait for alerts locally (default 15000)
  --list-types         print the known callback types and exit
  --yes                against a deployment: send without asking first (for CI)
  -h, --help           this text

Against a deployment (--url that is not the local stack) it says first what it will send and who will
get it, and asks; the alerts go to every subscriber of the stack's topics, marked
"${SMOKE_TEST_ACCOUNT_NAME}" in the account name and "TEST" in the subject and SMS.

Secrets: for the local stack, read from its SSM. For any other URL: VOX_SALT, VOX_ACCOUNT_ID and
VOX_API_KEY if all are set, else SSM under --prefix with your AWS credentials (GetParameters, decrypted).
Signing with the stack's own SSM values shows the stack works end to end; it does not show that those
values match what Voximplant has (a wrong salt there still gets every real callback a 401).
Exit code 0 when the receiver answered as expected and (locally) the alerts arrived; 1 otherwise.`;

function sameServer(a: string, b: string): boolean {
  try {
    const x = new URL(a);
    const y = new URL(b);
    const local = (host: string) => ['localhost', '127.0.0.1', '[::1]', '::1', '0.0.0.0'].includes(host);
    const hostsMatch = x.hostname === y.hostname || (local(x.hostname) && local(y.hostname));
    return hostsMatch && (x.port || '80') === (y.port || '80');
  } catch {
    return false;
  }
}

const quietLog = {
  info: () => undefined,
  warn: (message: string) => process.stderr.write(`warning: ${message}\n`),
  error: (message: string) => process.stderr.write(`error: ${message}\n`),
};

/**
 * Against a deployment: says what will be sent and who hears about it, then asks (unless --yes).
 * Resolves false when the user says no; throws UsageError when there is nobody to ask (no terminal).
 */
async function confirmed(url: string, count: number, typeLabel: string, negative: boolean, yes: boolean): Promise<boolean> {
  const plan = negative
    ? `This sends ${count} ${typeLabel} callback(s) that must be refused (401) to ${url}.` +
      '\nNo alert results, but a refused callback that names your account, or another account id, trips the CallbacksUnverifiable ' +
      'alarm: every email subscriber of the operations topic is told to check the secrets.'
    : `This sends ${count} signed ${typeLabel} callback(s) to ${url}.\n` +
      'The stack alerts every subscriber of its alert topic: email for each, SMS for critical ones (a low balance is critical).\n' +
      `The alerts say "${SMOKE_TEST_ACCOUNT_NAME}" as the account name and TEST in the subject and SMS.`;
  console.log(plan);
  if (yes) return true;
  if (!process.stdin.isTTY) throw new UsageError('not a terminal, so nobody can confirm: pass --yes to send without asking');
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question('Send? [y/N] ')).trim());
  } finally {
    rl.close();
  }
}

function secretsFromEnv(): VoxSecrets | undefined {
  const { VOX_SALT: salt, VOX_ACCOUNT_ID: accountId, VOX_API_KEY: apiKey } = process.env;
  return salt && accountId && apiKey ? { salt, accountId: accountId.trim(), apiKey } : undefined;
}

async function post(url: string, body: string): Promise<{ status: number; text: string; counts?: Counts }> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'voximplant-alerts-send-callback' },
      body,
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    if (cause?.code === 'ECONNREFUSED') {
      throw new Failure(`cannot reach ${url}: connection refused — is \`npm start\` running? (or pass --url)`);
    }
    throw new Failure(`cannot reach ${url}: ${errorMessage(cause ?? error)}`);
  }
  const text = await res.text();
  let counts: Counts | undefined;
  try {
    const parsed = JSON.parse(text) as Partial<Counts>;
    if (typeof parsed.accepted === 'number') counts = parsed as Counts;
  } catch {
    // not JSON
  }
  return { status: res.status, text, counts };
}

/** Waits until `expected` alerts for these callback ids arrived (or the time is up); others are stale and dropped. */
async function collectAlerts(
  sqs: SQSClient,
  queueUrl: string,
  accountId: string,
  ids: ReadonlySet<number>,
  expected: number,
  waitMs: number,
) {
  const alerts: Array<{ alert: Alert; message: InboxMessage }> = [];
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline && (expected === 0 || alerts.length < expected)) {
    const messages = await readInbox(sqs, queueUrl, { expected: 1, waitMs: deadline - Date.now() });
    for (const message of messages) {
      const alert = parseAlert(message);
      if (alert && ids.has(alert.callbackId) && String(alert.accountId) === accountId) alerts.push({ alert, message });
    }
  }
  return alerts;
}

async function main(argv: string[]): Promise<number> {
  const values = parseCommandLine(argv, USAGE, {
    url: { type: 'string' },
    type: { type: 'string', default: 'min_balance' },
    count: { type: 'string' },
    batch: { type: 'string' },
    'callback-id': { type: 'string' },
    forged: { type: 'boolean', default: false },
    'wrong-account': { type: 'boolean', default: false },
    duplicate: { type: 'boolean', default: false },
    prefix: { type: 'string' },
    timeout: { type: 'string' },
    'list-types': { type: 'boolean', default: false },
    yes: { type: 'boolean', default: false },
  });
  if (values['list-types']) {
    console.log(KNOWN_TYPES.join('\n'));
    return 0;
  }
  const types =
    values.type === 'all'
      ? [...KNOWN_TYPES]
      : values.type
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean);
  if (types.length === 0) throw new UsageError('--type needs at least one type name');
  for (const unknown of types.filter((t) => !KNOWN_TYPES.includes(t))) {
    process.stderr.write(
      `note: ${JSON.stringify(unknown)} is not a type the receiver knows (see --list-types); sending it anyway with no data\n`,
    );
  }
  const typeLabel = types.length === 1 ? types[0] : `mixed (${types.length} types)`;
  const count = wholeNumber('--count', values.count, types.length, 1, 10_000);
  const batch = wholeNumber('--batch', values.batch, 1, 1, 1_000);
  const timeoutMs = wholeNumber('--timeout', values.timeout, 15_000, 1, 600_000);
  const negative = values.forged || values['wrong-account'];
  if (negative && values.duplicate)
    throw new UsageError('--duplicate re-sends genuine callbacks: do not combine it with --forged or --wrong-account');
  let firstId: number;
  if (values['callback-id'] !== undefined) {
    firstId = Number(values['callback-id']);
    if (!/^\d+$/.test(values['callback-id']) || !Number.isSafeInteger(firstId + count)) {
      throw new UsageError(`--callback-id must be a whole number, got ${JSON.stringify(values['callback-id'])}`);
    }
  } else {
    // Milliseconds since the epoch, times 1000, plus a random tail: unique across runs, still a safe integer.
    firstId = Date.now() * 1000 + randomInt(0, 1000);
  }

  // Where to, and with which secrets.
  const state: LocalStackState | undefined = readState();
  const url = values.url ?? state?.url ?? DEFAULT_URL;
  const local = state !== undefined && sameServer(url, state.url) ? state : undefined;
  let secrets: VoxSecrets;
  if (local) {
    if (local.motoEndpoint) Object.assign(process.env, motoEnv(local.motoEndpoint, local.region));
    else process.env.AWS_REGION = local.region;
    secrets = await readSecretsFromSsm(local.prefix, quietLog);
    console.log(`Local stack at ${local.url} (secrets from its SSM, ${local.prefix})`);
  } else {
    const fromEnv = secretsFromEnv();
    if (fromEnv) {
      secrets = fromEnv;
      console.log(`Receiver at ${url} (secrets from VOX_* variables)`);
    } else {
      const prefix = values.prefix ?? DEFAULTS.parameterPrefix;
      try {
        secrets = await readSecretsFromSsm(prefix, quietLog);
      } catch (error) {
        const noStack = state === undefined && !values.url ? `no local stack found (${statePath()}): is \`npm start\` running?\n` : '';
        throw new Failure(
          `${noStack}cannot read the secrets for ${url} from SSM under ${prefix}: ${errorMessage(error)}\n` +
            'Set VOX_SALT, VOX_ACCOUNT_ID and VOX_API_KEY, or use AWS credentials allowed to read (and decrypt) those parameters.',
        );
      }
      console.log(`Receiver at ${url} (secrets from SSM, ${prefix})`);
    }
  }

  // The callbacks.
  const ids = Array.from({ length: count }, (_, i) => firstId + i);
  const signer: VoxSecrets = values['wrong-account']
    ? { ...secrets, accountId: String((Number(secrets.accountId) % 9_000_000) + 1_000_001) }
    : secrets;
  const signWith = values.forged ? { salt: `forged-${randomUUID().slice(0, 8)}`, apiKey: randomUUID() } : undefined;
  // Against a deployment the alerts reach real people: make them unmistakable as a test.
  const fields = local ? undefined : { account_name: SMOKE_TEST_ACCOUNT_NAME };
  const bodies: Array<{ ids: number[]; body: string }> = [];
  for (let i = 0; i < ids.length; i += batch) {
    const chunk = ids.slice(i, i + batch);
    bodies.push({
      ids: chunk,
      body: envelope(
        ...chunk.map((callbackId) =>
          sampleCallback(signer, { callbackId, type: types[(callbackId - firstId) % types.length], signWith, fields }),
        ),
      ),
    });
  }
  const what = values.forged ? 'forged ' : values['wrong-account'] ? 'wrong-account ' : '';
  console.log(
    `Sending ${count} ${what}${typeLabel} callback(s), ids ${ids[0]}${count > 1 ? `..${ids[ids.length - 1]}` : ''}, ` +
      `${bodies.length} request(s) of up to ${batch}${values.duplicate ? ', each twice' : ''}`,
  );

  if (!local && !(await confirmed(url, count, typeLabel, values.forged || values['wrong-account'], values.yes))) {
    console.log('Nothing sent.');
    return 1;
  }

  const problems: string[] = [];
  let expectedAlerts = 0;
  const send = async (round: 'first' | 'repeat') => {
    for (const { ids: chunk, body } of bodies) {
      const started = Date.now();
      const response = await post(url, body);
      console.log(`POST ${url} -> ${response.status} ${response.text} (${Date.now() - started} ms)`);
      const c = response.counts;
      if (negative) {
        if (response.status !== 401) problems.push(`expected 401 for ${what.trim()} callbacks, got ${response.status}`);
      } else if (response.status === 401) {
        problems.push(
          'expected 200, got 401: the receiver verified none of the callbacks. ' +
            (local
              ? 'The secrets in its SSM and the ones it uses differ: did something other than `configure --local` change them?'
              : 'If the secrets in SSM changed in the last 5 minutes, the receiver may still use the old ones (SECRETS_TTL_SECONDS); ' +
                'otherwise the function log line "No callback verified" names the reason.'),
        );
      } else if (response.status !== 200 || !c) {
        problems.push(`expected 200 with counts, got ${response.status}`);
      } else if (c.rejected > 0) {
        problems.push(`${c.rejected} callback(s) rejected: the secrets used here do not match the receiver's`);
      } else if (round === 'repeat' && c.accepted > 0) {
        problems.push(`the repeat was accepted ${c.accepted} time(s): duplicates are not suppressed`);
      } else {
        expectedAlerts += c.accepted;
        if (c.ignored > 0 && round === 'first')
          console.log(
            `  ${c.ignored} ignored: not in the receiver's ALERT_TYPES (locally: ALERT_TYPES='*' npm start; deployed: alertTypes in cdk.json); ` +
              'a payment, account_is_unfrozen or sip_registration_recovered still resolves its open incident (the notifier says "resolved")',
          );
        if (c.duplicates > 0 && round === 'first')
          console.log(
            `  ${c.duplicates} duplicate(s): already delivered, or a repeat folded into an incident already open (no new alert; ` +
              'its reminders follow, see README "Incidents")',
          );
        if (c.accepted + c.duplicates + c.ignored !== chunk.length) problems.push(`counts do not add up to ${chunk.length}`);
      }
    }
  };

  const sqs = local ? new SQSClient({}) : undefined;
  try {
    await send('first');
    const idSet = new Set(ids);
    if (local && sqs) {
      const arrived =
        expectedAlerts > 0 ? await collectAlerts(sqs, local.senderInboxUrl, signer.accountId, idSet, expectedAlerts, timeoutMs) : [];
      for (const { alert, message } of arrived) console.log(formatAlert(alert, message));
      if (arrived.length < expectedAlerts) {
        problems.push(`${expectedAlerts - arrived.length} of ${expectedAlerts} alert(s) did not arrive within ${timeoutMs} ms`);
      }
    }
    if (values.duplicate) {
      console.log('Sending the same callbacks again:');
      await send('repeat');
    }
    if (local && sqs && (negative || values.duplicate)) {
      const unexpected = await collectAlerts(sqs, local.senderInboxUrl, signer.accountId, idSet, 0, QUIET_WINDOW_MS);
      for (const { alert, message } of unexpected) console.log(formatAlert(alert, message));
      if (unexpected.length > 0) problems.push(`${unexpected.length} alert(s) arrived that should not have`);
      else console.log(`No ${negative ? '' : 'further '}alert arrived (watched ${QUIET_WINDOW_MS} ms), as expected.`);
    }
  } finally {
    sqs?.destroy();
  }

  if (!local && !negative && expectedAlerts > 0) {
    console.log(`${expectedAlerts} alert(s) published: check the topic's email and SMS subscribers.`);
  }
  if (problems.length > 0) {
    for (const problem of problems) process.stderr.write(`FAIL: ${problem}\n`);
    return 1;
  }
  const outcome = negative
    ? 'refused as expected'
    : expectedAlerts === 0
      ? 'answered 200; no alert expected (ignored or already delivered)'
      : `${expectedAlerts} alert(s) ${local ? 'arrived' : 'published'}`;
  console.log(`OK: ${outcome}.`);
  return 0;
}

if (require.main === module) runCommand(USAGE, () => main(process.argv.slice(2)), errorMessage);
