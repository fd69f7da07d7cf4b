/**
 * Test what ships: the exact bundle `cdk synth` put in cdk.out, run by plain Node as Lambda would,
 * with the environment the template gives the function, against moto.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DynamoIncidentStore } from '../../lambda/aws/dynamo-incidents';
import { signAckToken } from '../../lambda/incidents/ack-token';
import { toEvent } from '../../local/api-gateway';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ENV } from '../../lambda/contract';
import { KNOWN_TYPES } from '../../lambda/render';
import { SAMPLE_DATA } from '../../lambda/render/samples';
import { buildCallback, envelope } from '../../local/callbacks';
import { motoEnv } from '../../local/moto';
import { parseAlert, provision, readInbox, type LocalResources } from '../../local/provision';
import {
  ackFunction,
  bundlePath,
  logicalIdOf,
  notifierFunction,
  readTemplate,
  receiverFunction,
  resolveEnvironment,
  watchdogFunction,
  type Resource,
  type Template,
} from '../../local/cdk-out';
import { randomBytes } from 'node:crypto';
import { Deadline } from '../../lambda/deadline';
import { open } from '../../lambda/incidents/lifecycle';
import { DEFAULT_REMINDER_SCHEDULE, type IncidentKey } from '../../lambda/incidents/model';
import { httpEvent, VOX } from '../../local/fixtures';
import { VoximplantStandin } from '../../local/voximplant-standin';

let template: Template;
let fn: ReturnType<typeof receiverFunction>;
let bundle: string;
let resources: LocalResources;
let environment: Record<string, string>;
let lambdaNode: string;
/** The Management API the receiver confirms balances with: the template names the public one; the test points it here. */
let accountApi: VoximplantStandin;

/**
 * A Node.js of the function's runtime major (nodejs24.x → 24): LAMBDA_NODE (.ci/run sets it), else the copy
 * `bash .ci/node.sh 24` caches in .ci/node/24, else this Node if it is that major. Anything else fails with
 * the command that fixes it: the bundle is tested on what it ships on, never silently on another Node.
 */
function findLambdaNode(runtime: string): string {
  const major = /^nodejs(\d+)\.x$/.exec(runtime)?.[1];
  if (!major) throw new Error(`unexpected Lambda runtime ${runtime}`);
  const cached = join(__dirname, '..', '..', '.ci', 'node', major, 'node_modules', 'node', 'bin', 'node');
  const candidate = process.env.LAMBDA_NODE || (existsSync(cached) ? cached : process.execPath);
  const version = spawnSync(candidate, ['--version'], { encoding: 'utf8' }).stdout?.trim() ?? '';
  if (!version.startsWith(`v${major}.`)) {
    throw new Error(
      `the bundle test runs the bundle on Node.js ${major}, the function's runtime (${runtime}); ${candidate} is ${version || 'not runnable'}. ` +
        `Run \`bash .ci/node.sh ${major}\` once (node@${major} from the npm registry into .ci/node/${major}, git-ignored), or set LAMBDA_NODE.`,
    );
  }
  return candidate;
}

/** The stage URL the template builds from the API's id (Fn::Join): not resolvable locally, so a fake one stands in. */
const STAGE_URL = 'https://abc123.execute-api.us-east-1.amazonaws.com/';

/** `resource` without the variables that hold the stage URL (WEBHOOK_URL, API_URL), for resolveEnvironment. */
function withoutStageUrls(resource: Resource): Resource {
  const {
    [ENV.webhookUrl]: _webhook,
    [ENV.apiUrl]: _api,
    ...rest
  } = resource.Properties!.Environment!.Variables as Record<string, unknown>;
  return { ...resource, Properties: { ...resource.Properties, Environment: { Variables: rest } } };
}

/** An account of the incident tests below: not the one the webhook test's callbacks open incidents for. */
const OTHER_ACCOUNT = 7654321;

beforeAll(async () => {
  template = readTemplate();
  fn = receiverFunction(template);
  bundle = bundlePath(fn.resource);
  lambdaNode = findLambdaNode(String(fn.resource.Properties!.Runtime));
  const prefix = fn.resource.Properties!.Environment!.Variables![ENV.parameterPrefix] as string;
  resources = await provision(`bundle-${Date.now()}`, VOX, { prefix });
  environment = resolveEnvironment(template, withoutStageUrls(fn.resource), {
    'AWS::SNS::Topic': resources.topicArn,
    // Two tables: mapped by logical id, so the incidents cannot land in the dedupe table unnoticed.
    [logicalIdOf(template, 'AWS::DynamoDB::Table', 'DedupeTable')]: resources.tableName,
    [logicalIdOf(template, 'AWS::DynamoDB::Table', 'IncidentTable')]: resources.incidentTableName,
    'AWS::SQS::Queue': resources.retryQueueUrl,
  });
  // Acknowledge links' base: any https URL shows the link is built.
  environment[ENV.apiUrl] = STAGE_URL;
  expect(environment[ENV.incidentTableName]).toBe(resources.incidentTableName);
  expect(environment[ENV.dedupeTableName]).toBe(resources.tableName);
  expect(environment[ENV.voximplantApiUrl]).toBe('https://api.voximplant.com/platform_api/');
  accountApi = await VoximplantStandin.start({ account: { accountId: VOX.accountId, apiKey: VOX.apiKey, balance: 4.2 } });
  environment[ENV.voximplantApiUrl] = accountApi.url;
});

afterAll(async () => {
  await accountApi?.close();
});

/**
 * Runs `file` on the Lambda Node with only what Lambda would give it (`env` plus region and credentials),
 * feeding it `events`; resolves to its results and output. Asynchronous: the Management API stand-in answers
 * from this process, which a synchronous spawn would block.
 */
async function runBundle(file: string, events: unknown[], env: Record<string, string>) {
  const { PATH, HOME } = process.env;
  const child = spawn(lambdaNode, [join(__dirname, '..', 'support', 'run-bundle.mjs'), file], {
    env: { PATH, HOME, ...env, ...motoEnv(process.env.MOTO_ENDPOINT!) },
    timeout: 30_000,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(JSON.stringify(events));
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const last = stdout.trim().split('\n').pop() ?? '';
  if (status !== 0 || !last.startsWith('RESULTS ')) throw new Error(`bundle run failed (exit ${status}):\n${stderr}\n${stdout}`);
  return { results: JSON.parse(last.slice('RESULTS '.length)) as unknown[], output: stdout + stderr };
}

/** The receiver's bundle with the template's environment. */
async function invoke(events: APIGatewayProxyEventV2[]) {
  const { results, output } = await runBundle(bundle, events, environment);
  return { results: results as Array<{ statusCode: number; body: string }>, output };
}

it('runs on the Node.js major of the function runtime', async () => {
  const { output } = await invoke([]);
  const runtime = String(fn.resource.Properties!.Runtime);
  expect(runtime).toMatch(/^nodejs\d+\.x$/);
  expect(output).toContain(`NODE v${runtime.replace(/^nodejs(\d+)\.x$/, '$1')}.`);
});

it('is an ESM bundle with the SDK inside and the createRequire banner', () => {
  expect(bundle).toMatch(/\.mjs$/);
  const code = readFileSync(bundle, 'utf8');
  expect(code.slice(0, 300)).toContain('createRequire');
  expect(code).toContain('PublishBatch'); // the SNS client is bundled, not left to the runtime's copy
  expect(code).toContain('GetParameters');
  // Env-only credentials (lambda/aws/env-credentials.ts): the rest of the default chain is not shipped.
  expect(code).toContain('AWS_SECRET_ACCESS_KEY');
  for (const marker of ['AWS_WEB_IDENTITY_TOKEN_FILE', 'sso_session', 'credential_process']) expect(code).not.toContain(marker);
});

it('ships the type catalogue but not the sample data (lambda/render/samples.ts is for the sender and the tests)', () => {
  const code = readFileSync(bundle, 'utf8');
  for (const type of KNOWN_TYPES) expect(code).toContain(type);
  const sms = SAMPLE_DATA.sms_inbound.sms_inbound as Record<string, string>;
  const address = SAMPLE_DATA.regulation_address_uploaded.regulation_address_name as string;
  for (const sample of [sms.sms_body, address, 'voip-push-prod.p12']) expect(code).not.toContain(sample);
});

it('imports and serves: health, a signed callback alerts once, a duplicate and a forgery do not', async () => {
  const genuine = buildCallback(VOX, { callbackId: 424242 });
  const forged = buildCallback(VOX, { callbackId: 424243, signWith: { salt: 'x', apiKey: 'y' } });
  const { results, output } = await invoke([
    httpEvent(undefined, { method: 'GET' }),
    httpEvent(envelope(genuine)),
    httpEvent(envelope(genuine), { base64: true }),
    httpEvent(envelope(forged)),
  ]);
  expect(results.map((r) => r.statusCode)).toEqual([200, 200, 200, 401]);
  expect(JSON.parse(results[1].body)).toEqual({ accepted: 1, duplicates: 0, ignored: 0, rejected: 0 });
  expect(JSON.parse(results[2].body)).toEqual({ accepted: 0, duplicates: 1, ignored: 0, rejected: 0 });
  expect(output).not.toContain('Dynamic require');
  for (const secret of [VOX.salt, VOX.apiKey, genuine.hash]) expect(output).not.toContain(String(secret));

  const sqs = new SQSClient({ endpoint: process.env.MOTO_ENDPOINT });
  const inbox = await readInbox(sqs, resources.queueUrl, { expected: 2, waitMs: 1500 });
  sqs.destroy();
  expect(inbox).toHaveLength(1);
  // escalation 1: the min_balance opened an incident (below).
  expect(inbox[0].attributes).toEqual({ callback_type: 'min_balance', severity: 'critical', escalation: '1' });
  // The shipped bundle confirmed the balance with one GetAccountInfo (its client is loaded lazily).
  expect(inbox[0].subject).toContain('confirmed 4.20 USD');
  expect(accountApi.requests.filter((r) => r.command === 'GetAccountInfo')).toHaveLength(1);
  // The min_balance opened an incident in its own table (mapped by logical id).
  const dynamodb = new DynamoDBClient({ endpoint: process.env.MOTO_ENDPOINT });
  try {
    const incidents = new DynamoIncidentStore(dynamodb, resources.incidentTableName);
    const key = { accountId: Number(VOX.accountId), kind: 'low_balance', subject: '' } as const;
    expect(await incidents.get(key, AbortSignal.timeout(5000))).toMatchObject({ status: 'open', openingCallbackId: 424242 });
  } finally {
    dynamodb.destroy();
  }
});

it("the watchdog's own bundle (none of its pass in the webhook's): two scheduled passes against the stand-in API alert once", async () => {
  const watchdog = watchdogFunction(template);
  const watchdogBundle = bundlePath(watchdog.resource);
  expect(watchdogBundle).not.toBe(bundle);
  // The webhook's bundle carries none of the watchdog's pass (its cold start pays nothing for it).
  expect(readFileSync(bundle, 'utf8')).not.toContain('Voximplant watchdog:');
  const standin = await VoximplantStandin.start({ account: { accountId: VOX.accountId, apiKey: VOX.apiKey, callbackSalt: VOX.salt } });
  const sqs = new SQSClient({ endpoint: process.env.MOTO_ENDPOINT });
  try {
    const env = resolveEnvironment({ Resources: template.Resources }, withoutStageUrls(watchdog.resource), {
      'AWS::SNS::Topic': resources.topicArn,
      [logicalIdOf(template, 'AWS::DynamoDB::Table', 'DedupeTable')]: resources.tableName,
      [logicalIdOf(template, 'AWS::DynamoDB::Table', 'IncidentTable')]: resources.incidentTableName,
    });
    // The stand-in replaces the public API.
    Object.assign(env, { [ENV.webhookUrl]: STAGE_URL, [ENV.apiUrl]: STAGE_URL, [ENV.voximplantApiUrl]: standin.url });
    await readInbox(sqs, resources.queueUrl, { waitMs: 0 });
    const { results } = await runBundle(watchdogBundle, [{}, {}], env);
    expect(results).toEqual(['checked', 'checked']);
    const inbox = await readInbox(sqs, resources.queueUrl, { expected: 2, waitMs: 2000 });
    // The finding opened its incident: escalation 1, and its email carries the acknowledge link.
    expect(inbox.map((m) => m.attributes)).toEqual([
      { callback_type: 'watchdog_callback_url_wrong', severity: 'critical', escalation: '1' },
    ]);
    expect(inbox[0].message).toContain('https://abc123.execute-api.us-east-1.amazonaws.com/ack/v1.');
  } finally {
    sqs.destroy();
    await standin.close();
  }
});

it("the notifier's own bundle: an incident open for 31 minutes gets one reminder across two scheduled runs, with escalation 2 and a link", async () => {
  const notifier = notifierFunction(template);
  const notifierBundle = bundlePath(notifier.resource);
  expect(notifierBundle).not.toBe(bundle);
  // The webhook's bundle carries none of the notifier's run (the words are in the shared catalogues, not its logic).
  expect(readFileSync(bundle, 'utf8')).not.toContain('Notifier run');
  const sqs = new SQSClient({ endpoint: process.env.MOTO_ENDPOINT });
  const dynamodb = new DynamoDBClient({ endpoint: process.env.MOTO_ENDPOINT });
  try {
    const env = resolveEnvironment({ Resources: template.Resources }, withoutStageUrls(notifier.resource), {
      'AWS::SNS::Topic': resources.topicArn,
      'AWS::DynamoDB::Table': resources.incidentTableName,
    });
    const stage = STAGE_URL;
    env[ENV.webhookUrl] = stage;
    // Opened 31 minutes ago, as the webhook opens one: the default schedule's first reminder (30 min) is due.
    // Another account's incident: the webhook test above opened this account's low balance already.
    const key: IncidentKey = { accountId: OTHER_ACCOUNT, kind: 'low_balance', subject: '' };
    const openedAt = Date.now() - 31 * 60_000;
    const opening = {
      at: openedAt,
      by: 'min_balance',
      callbackId: 1,
      facts: { balance: 4.87, currency: 'USD' },
      newIncidentId: randomBytes(16).toString('hex'),
    };
    const store = new DynamoIncidentStore(dynamodb, resources.incidentTableName);
    expect(await store.put(open(undefined, key, opening, DEFAULT_REMINDER_SCHEDULE).next!, 0, Deadline.in(5000).signal)).toBe(true);
    await readInbox(sqs, resources.queueUrl, { waitMs: 0 });
    const { results } = await runBundle(notifierBundle, [{}, {}], env);
    expect(results).toMatchObject([
      { kind: 'done', sent: { reminder: 1 } },
      { kind: 'done', sent: { reminder: 0 } },
    ]);
    const inbox = await readInbox(sqs, resources.queueUrl, { expected: 2, waitMs: 2000 });
    // Besides this reminder, when the whole file runs, the first run also says "resolved" once for the low balance
    // the webhook test opened and the watchdog test's pass (balance above the threshold) resolved.
    const byType = (type: string) => inbox.filter((m) => m.attributes.callback_type === type);
    const resolved = byType('incident_resolved').map((m) => parseAlert(m)?.accountId);
    expect(resolved.length).toBeLessThanOrEqual(1);
    expect(resolved.every((accountId) => accountId === Number(VOX.accountId))).toBe(true);
    const reminders = byType('incident_reminder');
    expect(reminders.map((m) => m.attributes)).toEqual([{ callback_type: 'incident_reminder', severity: 'critical', escalation: '2' }]);
    expect(reminders[0].subject).toMatch(/^Voximplant: balance low, still open after 31 min on account /);
    expect(JSON.parse(reminders[0].message).email).toContain(`${stage}ack/v1.${OTHER_ACCOUNT}.low_balance.-.`);
  } finally {
    sqs.destroy();
    dynamodb.destroy();
  }
});

it("the acknowledge route's own bundle: GET shows the form, POST acknowledges once, a replay is refused; no alert texts, no SNS", async () => {
  const ack = ackFunction(template);
  const ackBundle = bundlePath(ack.resource);
  expect(ackBundle).not.toBe(bundle);
  const code = readFileSync(ackBundle, 'utf8');
  expect(code).not.toContain('PublishBatch');
  expect(code).not.toContain('Top up the balance'); // the alert texts (lambda/render/i18n) stay in the receiver's
  const env = resolveEnvironment(template, ack.resource, { 'AWS::DynamoDB::Table': resources.incidentTableName });
  const ssm = new SSMClient({});
  const dynamodb = new DynamoDBClient({});
  try {
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: env[ENV.ackKeyParameter], WithDecryption: true }));
    const key = { accountId: OTHER_ACCOUNT, kind: 'account_frozen' as const, subject: '' };
    const incidentId = '0123456789abcdef0123456789abcdef';
    const now = Date.now();
    const store = new DynamoIncidentStore(dynamodb, resources.incidentTableName);
    const opened = {
      key,
      incidentId,
      status: 'open' as const,
      openedAt: now,
      openedBy: 'min_balance',
      lastSeenAt: now,
      repeats: 0,
      level: 1,
    };
    const stored = await store.put(
      { ...opened, nextReminderAt: now + 1_800_000, pendingNotices: [], facts: {}, version: 0 },
      0,
      AbortSignal.timeout(5000),
    );
    expect(stored).toBe(true);
    const token = signAckToken({ key, incidentId, expiresAt: Math.floor(now / 1000) + 3600 }, Parameter!.Value!);
    const request = (method: string, body = '') =>
      toEvent({
        method,
        url: `/ack/${token}`,
        rawHeaders: method === 'POST' ? ['Content-Type', 'application/x-www-form-urlencoded'] : [],
        body: Buffer.from(body),
        sourceIp: '192.0.2.7',
      });
    const { results, output } = await runBundle(ackBundle, [request('GET'), request('POST', 'name=Ann'), request('POST', 'name=Bob')], env);
    expect((results as Array<{ statusCode: number }>).map((r) => r.statusCode)).toEqual([200, 200, 409]);
    expect(await store.get(key, AbortSignal.timeout(5000))).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'Ann', version: 2 });
    expect(output).not.toContain(token.split('.').pop()!);
    expect(output).not.toContain('Dynamic require');
  } finally {
    ssm.destroy();
    dynamodb.destroy();
  }
});
