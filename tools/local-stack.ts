/**
 * `npm start`: the whole receiver on your machine. moto server plays AWS (SSM, SNS, SQS, DynamoDB), the
 * same Lambda code answers on http://127.0.0.1:3000/ through an API Gateway-like adapter, and every alert
 * published to the topic is printed the way a person would read it.
 *
 * Also exports what `send-callback` and `configure` need to find a running local stack (the state file).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { parseEnv } from 'node:util';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { DeleteQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DeleteParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { Alert } from '../lambda/model';
import { DEFAULTS, parameterNames, parseAlertTypes, unknownTypeNames } from '../lambda/config';
import { ENV, METRICS, RECEIVER_FUNCTION } from '../lambda/contract';
import { parseCommandLine, runCommand, UsageError } from './cli';
import { validateSecrets } from './secrets';
import {
  GATEWAY_RESPONSES,
  MAX_REQUEST_BYTES,
  fromResult,
  lambdaContext,
  readBody,
  routeKeyFor,
  toEvent,
  type HttpResponse,
} from './http-adapter';
import { findMotoPython, MotoMissingError, motoEnv, startMoto, type MotoServer } from './moto';
import { pollOnce, type QueueHandler } from './sqs-event-source';
import { createInbox, provision, readInbox, receiverEnv, type InboxMessage, type LocalResources, type VoxSecrets } from './provision';

// ---------------------------------------------------------------------------------------------------
// The state file: how `send-callback` and `configure --local` find the running stack.

export const ROOT = resolve(__dirname, '..');
const DEFAULT_STATE_FILE = join(ROOT, '.local-stack', 'state.json');
/** The name of the resources in moto (a fresh moto each run, so a fixed name is fine). */
const LOCAL_NAME = 'voximplant-alerts-local';
/** The function's timeout in the stack (infra/stack.ts); past it Lambda fails the call and API Gateway answers 500. */
const FUNCTION_TIMEOUT_MS = RECEIVER_FUNCTION.timeoutSeconds * 1000;

export type SecretsOrigin = 'generated demo values' | 'environment (VOX_*)' | '.env file' | 'environment and .env file';

export interface LocalStackState {
  /** The local stack's own process. */
  readonly pid: number;
  readonly url: string;
  readonly mode: 'moto' | 'aws';
  /** Set in moto mode: point the SDK here (with motoEnv) to reach the local stack's AWS. */
  readonly motoEndpoint?: string;
  readonly motoPid?: number;
  readonly region: string;
  readonly prefix: string;
  readonly topicArn: string;
  readonly tableName: string;
  /** The queue the local stack prints alerts from. */
  readonly inboxUrl: string;
  /** A second subscriber of the topic, read by `send-callback` (the local stack drains the first). */
  readonly senderInboxUrl: string;
  /** Where the receiver parks requests (202), consumed by the local stack; `npm run load` waits for it to empty. */
  readonly retryQueueUrl?: string;
  readonly secretsSource: SecretsOrigin;
  readonly startedAt: string;
}

/** LOCAL_STACK_STATE overrides the location (the tests use it, so they never touch a developer's stack). */
export function statePath(env: NodeJS.ProcessEnv = process.env): string {
  return env.LOCAL_STACK_STATE || DEFAULT_STATE_FILE;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The running local stack, or undefined when there is none (no file, unreadable, or its process is gone). */
export function readState(path = statePath()): LocalStackState | undefined {
  let state: LocalStackState;
  try {
    state = JSON.parse(readFileSync(path, 'utf8')) as LocalStackState;
  } catch {
    return undefined;
  }
  return typeof state.pid === 'number' && isAlive(state.pid) ? state : undefined;
}

function writeState(path: string, state: LocalStackState): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}

/** Removes the state file if it is this process's (a later stack may have replaced it). */
function removeState(path: string): void {
  try {
    const state = JSON.parse(readFileSync(path, 'utf8')) as Partial<LocalStackState>;
    if (state.pid === process.pid) rmSync(path, { force: true });
  } catch {
    // nothing to remove
  }
}

// ---------------------------------------------------------------------------------------------------
// Secrets: VOX_* from the environment, else a .env file, else generated demo values.

/**
 * Parses a .env file with Node's own parser (`util.parseEnv`, the dotenv format): `# comments` on their own
 * line or after a value are dropped, `export ` is allowed, quotes keep `#` and spaces inside a value.
 */
export function parseDotEnv(text: string): Record<string, string> {
  return { ...parseEnv(text) } as Record<string, string>;
}

/** Demo values: a random salt (Voximplant allows at most 40 characters), a 7-digit account id, a uuid API key. */
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

// ---------------------------------------------------------------------------------------------------
// Printing

const useColor = process.stdout.isTTY === true && !process.env.NO_COLOR;
const paint = (code: string) => (text: string) => (useColor ? `\x1b[${code}m${text}\x1b[0m` : text);
const bold = paint('1');
const dim = paint('2');
const red = paint('31');
const green = paint('32');
const yellow = paint('33');
const cyan = paint('36');

const SEVERITY_PAINT: Record<string, (text: string) => string> = { critical: red, warning: yellow, info: cyan };

/** The alert the topic carries to programmatic subscribers (the `default` entry: the Alert as JSON). */
export function parseAlert(message: InboxMessage): Alert | undefined {
  try {
    const alert = JSON.parse(message.message) as Alert;
    return typeof alert === 'object' && alert !== null && typeof alert.callbackId === 'number' ? alert : undefined;
  } catch {
    return undefined;
  }
}

/** An alert as a person reads it: subject, the SMS, the email. */
export function formatAlert(alert: Alert, message?: InboxMessage): string {
  const severity = (SEVERITY_PAINT[alert.severity] ?? cyan)(alert.severity.toUpperCase());
  const rule = '─'.repeat(72);
  return [
    `┌${rule}`,
    `│ ${bold('ALERT')} ${severity} ${alert.type} · callback ${alert.callbackId} · account ${alert.accountId}`,
    `│ ${bold('Subject:')} ${message?.subject ?? alert.subject}`,
    `│ ${bold('SMS')} (${alert.sms.length} chars): ${alert.sms}`,
    `│ ${bold('Email:')}`,
    ...alert.email
      .replace(/\n+$/, '')
      .split('\n')
      .map((line) => `│   ${line}`),
    `└${rule}`,
  ].join('\n');
}

/** The one line per request: method, path, status, counts, time taken. */
export function formatRequestLine(method: string, path: string, response: HttpResponse, ms: number): string {
  let detail = '';
  try {
    const body = JSON.parse(response.body.toString('utf8')) as Record<string, unknown>;
    const counts = ['accepted', 'duplicates', 'ignored', 'rejected'].filter((key) => typeof body[key] === 'number');
    detail =
      counts.length > 0 ? counts.map((key) => `${key}=${body[key]}`).join(' ') : typeof body.message === 'string' ? body.message : '';
    if (typeof body.status === 'string' && detail === '') detail = body.status;
  } catch {
    // not JSON: no detail
  }
  const status = response.statusCode;
  const colour = status < 300 ? green : status < 500 ? yellow : red;
  const time = new Date().toISOString().slice(11, 19);
  return `${dim(time)} ${bold('»')} ${method} ${path} ${colour(String(status))} ${detail} ${dim(`${ms}ms`)}`.replace(/ +/g, ' ');
}

function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}

function fail(message: string): void {
  process.stderr.write(`${red('error:')} ${message}\n`);
}

// ---------------------------------------------------------------------------------------------------
// AWS mode extras: the resources go on exit.

async function deleteAwsResources(
  state: Pick<LocalStackState, 'prefix' | 'topicArn' | 'tableName' | 'inboxUrl' | 'senderInboxUrl'> & { queueUrls: string[] },
): Promise<string[]> {
  const ssm = new SSMClient({});
  const sns = new SNSClient({});
  const sqs = new SQSClient({});
  const dynamodb = new DynamoDBClient({});
  const left: string[] = [];
  const attempt = async (what: string, action: () => Promise<unknown>) => {
    try {
      await action();
    } catch (error) {
      left.push(`${what} (${(error as Error).message})`);
    }
  };
  try {
    await Promise.all([
      attempt(`SSM parameters under ${state.prefix}`, () =>
        ssm.send(new DeleteParametersCommand({ Names: Object.values(parameterNames(state.prefix)) })),
      ),
      attempt(`topic ${state.topicArn}`, () => sns.send(new DeleteTopicCommand({ TopicArn: state.topicArn }))),
      attempt(`queue ${state.inboxUrl}`, () => sqs.send(new DeleteQueueCommand({ QueueUrl: state.inboxUrl }))),
      attempt(`queue ${state.senderInboxUrl}`, () => sqs.send(new DeleteQueueCommand({ QueueUrl: state.senderInboxUrl }))),
      ...state.queueUrls.map((QueueUrl) => attempt(`queue ${QueueUrl}`, () => sqs.send(new DeleteQueueCommand({ QueueUrl })))),
      attempt(`table ${state.tableName}`, () => dynamodb.send(new DeleteTableCommand({ TableName: state.tableName }))),
    ]);
  } finally {
    for (const client of [ssm, sns, sqs, dynamodb]) client.destroy();
  }
  return left;
}

// ---------------------------------------------------------------------------------------------------
// The server

type Handler = (event: APIGatewayProxyEventV2, context?: Context) => Promise<APIGatewayProxyStructuredResultV2>;

const LAMBDA_DIR = join(ROOT, 'lambda');

/**
 * The receiver's handler as a new Lambda container would load it: every module under lambda/ is evaluated
 * afresh (module-level clients, configuration and the secrets cache included). Needs the environment set first.
 */
function loadHandler(): Handler {
  for (const key of Object.keys(require.cache)) if (key.startsWith(LAMBDA_DIR)) delete require.cache[key];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../lambda/handler') as typeof import('../lambda/handler')).handler as Handler;
}

async function invoke(handler: Handler, event: APIGatewayProxyEventV2, region: string): Promise<HttpResponse> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<HttpResponse>((resolve) => {
    timer = setTimeout(() => {
      fail(`the function timed out after ${FUNCTION_TIMEOUT_MS / 1000} s (its timeout in the stack)`);
      resolve(GATEWAY_RESPONSES.internalError);
    }, FUNCTION_TIMEOUT_MS);
  });
  try {
    const result = handler(event, lambdaContext(LOCAL_NAME, FUNCTION_TIMEOUT_MS, region)).then(fromResult, (error: unknown) => {
      fail(`the function threw: ${(error as Error)?.stack ?? String(error)}`);
      return GATEWAY_RESPONSES.internalError;
    });
    return await Promise.race([result, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * After a 413: reads and drops the rest of the body so the client, still uploading, gets to read the answer;
 * nothing is kept, and a body going on past another 10 MB or 5 seconds has its connection cut.
 */
function discardRest(req: IncomingMessage): void {
  let discarded = 0;
  const cut = () => req.socket.destroy();
  const timer = setTimeout(cut, 5000).unref();
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > MAX_REQUEST_BYTES) cut();
  });
  req.once('end', () => clearTimeout(timer));
  req.once('close', () => clearTimeout(timer));
  req.resume();
}

function send(res: ServerResponse, response: HttpResponse): void {
  const headers: Record<string, string | string[]> = { ...response.headers, 'content-length': String(response.body.length) };
  res.writeHead(response.statusCode, headers);
  res.end(response.body);
}

function serve(getHandler: () => Handler | undefined, region: string) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0];
    // The path is the sender's (through a tunnel, anyone's): printable ASCII only, so it cannot drive the terminal.
    const shownPath = path.replace(/[^\x21-\x7e]/g, '?').slice(0, 200);
    let response: HttpResponse;
    let tooLarge = false;
    try {
      const declared = Number(req.headers['content-length'] ?? 0);
      const read = declared > MAX_REQUEST_BYTES ? ({ ok: false } as const) : await readBody(req, MAX_REQUEST_BYTES);
      const handler = getHandler();
      if (!read.ok) {
        tooLarge = true;
        response = GATEWAY_RESPONSES.tooLarge;
      } else if (routeKeyFor(method, path) === undefined) {
        response = GATEWAY_RESPONSES.notFound;
      } else if (!handler) {
        response = {
          statusCode: 503,
          headers: { 'content-type': 'application/json', 'retry-after': '1' },
          body: Buffer.from('{"message":"starting"}'),
        };
      } else {
        const event = toEvent({
          method,
          url: req.url ?? '/',
          rawHeaders: req.rawHeaders,
          body: read.body,
          sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
          httpVersion: req.httpVersion,
        });
        response = await invoke(handler, event, region);
      }
    } catch (error) {
      if (res.destroyed || req.destroyed) return; // the client went away mid-request
      fail(`request failed: ${(error as Error).message}`);
      response = GATEWAY_RESPONSES.internalError;
    }
    if (tooLarge) discardRest(req);
    send(res, response);
    say(formatRequestLine(method, shownPath, response, Math.round(performance.now() - started)));
  };
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE') {
        reject(new UsageError(`port ${port} is in use — is another \`npm start\` running? Stop it, or set PORT=<port> (or --port <port>)`));
      } else if (error.code === 'EACCES') {
        reject(new UsageError(`not allowed to listen on port ${port}: choose another with PORT=<port> (or --port <port>)`));
      } else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') {
        reject(new UsageError(`cannot listen on host ${host}: set HOST to a local address (127.0.0.1, 0.0.0.0)`));
      } else {
        reject(error);
      }
    };
    const onListening = () => {
      server.off('error', onError);
      const address = server.address();
      resolvePort(typeof address === 'object' && address ? address.port : port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

// ---------------------------------------------------------------------------------------------------
// Main

const USAGE = `Usage: npm start [-- options]

Runs the receiver locally: moto server as AWS, the Lambda behind an API Gateway-like HTTP server,
and every alert printed as it arrives.

Options:
  --port <n>            port to listen on (default: PORT or 3000)
  --host <addr>         address to bind (default: HOST or 127.0.0.1; 0.0.0.0 for a tunnel in a container)
  --aws                 use real AWS (your credentials chain) instead of moto; creates uniquely named
                        resources and deletes them on exit (also: LOCAL_STACK_AWS=1)
  --env-file <path>     where to read VOX_* values (default: .env in the project root)
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
    'quiet-lambda-logs': { type: 'boolean', default: false },
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
  const badTypes = unknownTypeNames(parseAlertTypes(process.env[ENV.alertTypes] || undefined));
  if (badTypes.length > 0) {
    fail(`ALERT_TYPES: ${badTypes.join('; ')} (npm run send-callback -- --list-types lists them, '*' forwards all)`);
    return 2;
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

  // 2. The port, so a second `npm start` fails at once with a clear message.
  let handler: Handler | undefined;
  let region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const server = createServer((req, res) => void serve(() => handler, region)(req, res));
  let boundPort: number;
  try {
    boundPort = await listen(server, port, host);
  } catch (error) {
    fail(error instanceof UsageError ? error.message : `cannot listen on ${host}:${port}: ${(error as Error).message}`);
    return 1;
  }
  const displayHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const url = `http://${displayHost}:${boundPort}/`;

  const other = readState(stateFile);
  if (other && other.pid !== process.pid) {
    server.close();
    fail(
      `another local stack is running (pid ${other.pid}, ${other.url}): stop it first, ` +
        `or give this one its own state file with LOCAL_STACK_STATE=<path>`,
    );
    return 1;
  }

  // 3. From here on, everything started is stopped on exit.
  let stopping = false;
  /** Aborted by Ctrl-C: a moto server still starting is killed at once instead of awaited. */
  const startup = new AbortController();
  let moto: Promise<MotoServer | undefined> = Promise.resolve(undefined);
  let resources: LocalResources | undefined;
  let senderInboxUrl: string | undefined;
  let inboxClient: SQSClient | undefined;

  const stop = async (code: number): Promise<never> => {
    if (stopping) {
      // A second Ctrl-C: do not wait any longer. moto ends with us (its stdin closes, see tools/moto.ts).
      process.exit(code === 0 ? 130 : code);
    }
    stopping = true;
    startup.abort();
    say(dim('\nstopping...'));
    server.close();
    server.closeAllConnections();
    inboxClient?.destroy();
    removeState(stateFile);
    if (useAws && resources && senderInboxUrl) {
      const left = await deleteAwsResources({
        prefix: resources.parameterPrefix,
        topicArn: resources.topicArn,
        tableName: resources.tableName,
        inboxUrl: resources.queueUrl,
        senderInboxUrl,
        queueUrls: [resources.retryQueueUrl, resources.dlqUrl],
      });
      if (left.length > 0) fail(`could not delete, please delete by hand:\n  ${left.join('\n  ')}`);
      else say(dim('deleted the AWS resources this run created'));
    }
    const server_ = await moto.catch(() => undefined);
    if (server_) {
      await server_.stop();
      say(dim(`moto server (pid ${server_.pid}) stopped`));
    }
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

  try {
    // 4. AWS: moto, or the real thing.
    if (useAws) {
      const probe = new SSMClient({});
      try {
        region = await probe.config.region();
      } catch {
        throw new UsageError('--aws: no AWS region configured: set AWS_REGION (or a profile with a region)');
      } finally {
        probe.destroy();
      }
      say(`Using ${bold('real AWS')} (region ${region}, your default credentials chain).`);
    } else {
      say(dim('starting moto server...'));
      moto = startMoto({ signal: startup.signal, python: motoPython });
      const server_ = await moto;
      if (!server_) throw new Error('moto did not start');
      Object.assign(process.env, motoEnv(server_.endpoint));
      region = process.env.AWS_REGION!;
    }
    if (stopping) return new Promise<number>(() => undefined);

    // 5. What the stack creates.
    const name = useAws ? `${LOCAL_NAME}-${randomBytes(3).toString('hex')}` : LOCAL_NAME;
    const prefix = useAws ? `/${name}` : DEFAULTS.parameterPrefix;
    try {
      resources = await provision(name, secrets, { prefix, subscribeInbox: printAlerts });
      const sns = new SNSClient({});
      const sqs = new SQSClient({});
      try {
        senderInboxUrl = await createInbox(sns, sqs, resources.topicArn, `${name}-sender-inbox`);
      } finally {
        sns.destroy();
        sqs.destroy();
      }
    } catch (error) {
      if (error instanceof UsageError) throw error;
      if (useAws && !resources) {
        fail(
          `some of these may have been created in AWS before the failure; delete them by hand if so: SSM parameters under ${prefix}, ` +
            `topic ${name}-alerts, table ${name}-dedupe, queues ${name}-inbox, ${name}-sender-inbox, ${name}-retry and ${name}-retry-dlq`,
        );
      }
      const hint = useAws ? ' (check your credentials and permissions: `aws sts get-caller-identity`)' : '';
      throw new UsageError(`creating the resources failed: ${(error as Error).message}${hint}`);
    }
    if (stopping) return new Promise<number>(() => undefined);

    // 6. The same Lambda code; it reads its configuration at import time, so the environment comes first.
    Object.assign(process.env, receiverEnv(resources));
    if (values['quiet-lambda-logs']) {
      process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
      process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    }
    // As the stack sets them (infra/stack.ts), unless the user chose otherwise.
    process.env.POWERTOOLS_SERVICE_NAME ??= METRICS.service;
    process.env.POWERTOOLS_METRICS_NAMESPACE ??= METRICS.namespace;
    process.env.AWS_LAMBDA_FUNCTION_NAME ??= LOCAL_NAME;
    handler = loadHandler();
    // `configure --local` wrote new secrets: start a new "container" so they apply to the next request,
    // instead of after the function's secrets cache TTL (5 minutes).
    process.on('SIGUSR2', () => {
      if (stopping) return;
      handler = loadHandler();
      say(`${dim('»')} secrets changed (configure --local): function restarted as a new container; the next request reads them from SSM`);
    });

    const motoServer = await moto;
    writeState(stateFile, {
      pid: process.pid,
      url,
      mode: useAws ? 'aws' : 'moto',
      ...(motoServer ? { motoEndpoint: motoServer.endpoint, motoPid: motoServer.pid } : {}),
      region,
      prefix: resources.parameterPrefix,
      topicArn: resources.topicArn,
      tableName: resources.tableName,
      inboxUrl: resources.queueUrl,
      senderInboxUrl,
      retryQueueUrl: resources.retryQueueUrl,
      secretsSource: origin,
      startedAt: new Date().toISOString(),
    });

    // 7. What the user needs to know.
    const names = parameterNames(resources.parameterPrefix);
    say();
    say(bold('voximplant-alerts local stack'));
    say(
      `  AWS:        ${motoServer ? `moto server at ${motoServer.endpoint} (moto pid ${motoServer.pid})` : `real AWS, region ${region} — resources are deleted on Ctrl-C`}`,
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
    say(`  Parameters: ${names.salt}, ${names.accountId}, ${names.apiKey}`);
    say(`  Topic:      ${resources.topicArn}`);
    say(`  Table:      ${resources.tableName}`);
    say(`  Inbox:      ${resources.queueUrl}${printAlerts ? '' : '  (not subscribed: --no-print-alerts)'}`);
    say(`  Retries:    ${resources.retryQueueUrl}  (consumed by the same code, as the stack's event source does)`);
    say(`  Forwarding: ALERT_TYPES=${process.env[ENV.alertTypes] || DEFAULTS.alertTypes}  (ALERT_TYPES='*' forwards every type)`);
    say(`  State file: ${stateFile}`);
    say();
    say(`  Send a test callback from another terminal:  ${bold('npm run send-callback')}`);
    say(`      a forged one:  npm run send-callback -- --forged      more: npm run send-callback -- --help`);
    say();
    say(`${green('Ready:')} ${url}  — Ctrl-C to stop`);

    // 8. The retry queue, consumed by the same handler (Lambda's SQS event source does this in AWS).
    const retryClient = new SQSClient({});
    const retryQueueUrl = resources.retryQueueUrl;
    // Through `handler`, so a restarted function (SIGUSR2) serves the queue too; with a context, as Lambda
    // passes one: the handler's deadline comes from its remaining time.
    const queueHandler: QueueHandler = (event) =>
      (handler as unknown as (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>)(
        event,
        lambdaContext(LOCAL_NAME, FUNCTION_TIMEOUT_MS, region),
      );
    void (async () => {
      while (!stopping) {
        try {
          const { received, failed } = await pollOnce(retryClient, retryQueueUrl, queueHandler, { waitSeconds: 5 });
          if (received > 0) say(`${dim('»')} retry queue: ${received} parked request(s), ${failed.length} to retry later`);
        } catch (error) {
          if (stopping) break;
          fail(`reading the retry queue failed: ${(error as Error).message}; retrying`);
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
      retryClient.destroy();
    })();

    // 9. The inbox, printed as alerts arrive.
    if (!printAlerts) return new Promise<number>(() => undefined); // stop() exits
    inboxClient = new SQSClient({});
    const queueUrl = resources.queueUrl;
    while (!stopping) {
      try {
        for (const message of await readInbox(inboxClient, queueUrl, { expected: 1, waitMs: 5000 })) {
          const alert = parseAlert(message);
          say(alert ? formatAlert(alert, message) : `${bold('ALERT')} (unreadable) ${message.subject ?? ''}\n${message.message}`);
        }
      } catch (error) {
        if (stopping) break;
        fail(`reading the inbox failed: ${(error as Error).message}; retrying`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    return new Promise<number>(() => undefined); // stop() exits
  } catch (error) {
    if (stopping) return new Promise<number>(() => undefined);
    const plain = error instanceof UsageError || error instanceof MotoMissingError;
    fail(plain ? (error as Error).message : ((error as Error).stack ?? String(error)));
    return stop(1);
  }
}

if (require.main === module) runCommand(USAGE, () => main(process.argv.slice(2)));
