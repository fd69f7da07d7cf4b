/**
 * The watchdog end to end on real parts: the AWS SDK against moto (SSM secrets, its items in the dedupe table,
 * SNS fanning out to an SQS inbox) and the Management API client against the loopback stand-in. Every condition
 * opens once and clears once across repeated passes, duplicated schedules included; refused credentials and a
 * slow API change nothing and alert nobody.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Alert } from '../../lambda/model';
import { DynamoWatchState } from '../../lambda/aws/dynamo-watch-state';
import { watchdogDeps } from '../../lambda/aws/watchdog-deps';
import { Deadline } from '../../lambda/deadline';
import { METRICS } from '../../lambda/contract';
import { receive } from '../../lambda/pipeline';
import type { Condition } from '../../lambda/watchdog/findings';
import { runPass, type PassResult, type WatchDeps } from '../../lambda/watchdog/pass';
import { buildCallback, envelope } from '../../local/callbacks';
import { provision, readInbox, type LocalResources } from '../../local/provision';
import { fakeDeps, MemoryLog } from '../support/fakes';
import { VOX } from '../../local/fixtures';
import { VoximplantStandin } from '../../local/voximplant-standin';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

const WEBHOOK = 'https://abc123.execute-api.us-east-1.amazonaws.com/';
const MIN = 60_000;

let resources: LocalResources;
let standin: VoximplantStandin;
let sqs: SQSClient;
let clock = Date.UTC(2026, 0, 1);
const opened: Array<WatchDeps & { destroy(): void }> = [];

/** A fresh set of edges, as a separate Lambda container would have; metrics recorded in `metrics`. */
function container(options: { apiTimeoutMs?: number } = {}) {
  const metrics: Record<string, number> = {};
  const log = new MemoryLog();
  const deps = watchdogDeps({
    parameterPrefix: resources.parameterPrefix,
    tableName: resources.tableName,
    topicArn: resources.topicArn,
    webhookUrl: WEBHOOK,
    apiBaseUrl: standin.url,
    apiTimeoutMs: options.apiTimeoutMs,
    log,
    metrics: {
      count: (name, value) => void (metrics[name] = (metrics[name] ?? 0) + value),
      gauge: (name, value) => void (metrics[name] = value),
    },
    now: () => clock,
  });
  opened.push(deps);
  return { deps, metrics, log };
}

const pass = (deps: WatchDeps) => runPass(deps, Deadline.in(20_000));

async function inbox(expected: number): Promise<Alert[]> {
  const messages = await readInbox(sqs, resources.queueUrl, { expected, waitMs: expected === 0 ? 300 : 3000 });
  return messages.map((m) => ({ ...(JSON.parse(m.message) as Alert), attributes: m.attributes }) as Alert);
}

const types = (alerts: Alert[]) => alerts.map((a) => a.type).sort();

function healthy() {
  Object.assign(standin.account, {
    accountId: VOX.accountId,
    apiKey: VOX.apiKey,
    callbackUrl: WEBHOOK,
    callbackSalt: VOX.salt,
    frozen: false,
    balance: 50,
    minBalanceToNotify: 10,
  });
  standin.fault = undefined;
}

beforeAll(async () => {
  resources = await provision(`wd-${randomUUID().slice(0, 8)}`, VOX);
  standin = await VoximplantStandin.start({ account: { accountId: VOX.accountId, apiKey: VOX.apiKey } });
  sqs = new SQSClient({});
});

afterAll(async () => {
  for (const deps of opened) deps.destroy();
  sqs.destroy();
  await standin.close();
});

beforeEach(async () => {
  healthy();
  clock += 60 * MIN;
  // Every test starts linked and quiet: one pass settles whatever the last test left open.
  await pass(container().deps);
  await readInbox(sqs, resources.queueUrl, { waitMs: 0 });
});

it('a healthy account linked to this stack: no finding, no alert', async () => {
  const result = await pass(container().deps);
  expect(result).toMatchObject({ kind: 'checked', findings: [], opened: [], cleared: [] });
  expect(await inbox(0)).toEqual([]);
});

const breakages: Array<[Condition, () => void]> = [
  ['callback_url_wrong', () => (standin.account.callbackUrl = 'https://other-system.example/hook')],
  ['callback_salt_wrong', () => (standin.account.callbackSalt = undefined)],
  ['account_frozen', () => (standin.account.frozen = true)],
];

it.each(breakages)(
  '%s opens once and clears once across repeated passes, with the same filterable attributes',
  async (condition, breakIt) => {
    const { deps } = container();
    breakIt();
    for (let i = 0; i < 3; i += 1) {
      clock += 15 * MIN;
      await pass(deps);
    }
    const opening = await inbox(1);
    expect(types(opening)).toEqual([`watchdog_${condition}`]);
    expect((opening[0] as Alert & { attributes: Record<string, string> }).attributes).toEqual({
      callback_type: `watchdog_${condition}`,
      severity: 'critical',
    });
    healthy();
    for (let i = 0; i < 3; i += 1) {
      clock += 15 * MIN;
      await pass(deps);
    }
    const clearing = await inbox(1);
    expect(types(clearing)).toEqual([`watchdog_${condition}_cleared`]);
    expect(clearing[0].severity).toBe('info');
  },
);

/** Holds every pass's state read until `n` passes have read: they all read the same version, as overlapping runs may. */
function overlapping<T extends { deps: WatchDeps }>(containers: T[]): WatchDeps[] {
  let arrived = 0;
  let release!: () => void;
  const together = new Promise<void>((resolve) => (release = resolve));
  return containers.map(({ deps }) => ({
    ...deps,
    store: {
      read: async (accountId: string, signal: AbortSignal) => {
        const stored = await deps.store.read(accountId, signal);
        if ((arrived += 1) === containers.length) release();
        await together;
        return stored;
      },
      write: deps.store.write.bind(deps.store),
      sightings: deps.store.sightings.bind(deps.store),
    },
  }));
}

const events = (results: PassResult[]) =>
  results.flatMap((r) =>
    r.kind === 'checked' ? [...r.opened.map((f) => f.condition), ...r.cleared.map((c) => `${c.condition} cleared`)] : [],
  );

it('duplicated schedules: overlapping passes open the condition exactly once, then clear it exactly once', async () => {
  standin.account.callbackUrl = undefined;
  clock += 15 * MIN;
  const first = await Promise.all(overlapping([container(), container()]).map(pass));
  expect(first.map((r) => r.kind === 'checked' && r.superseded).sort()).toEqual([false, true]);
  expect(events(first)).toEqual(['callback_url_wrong']);
  expect(types(await inbox(2))).toEqual(['watchdog_callback_url_wrong']);

  healthy();
  clock += 15 * MIN;
  const second = await Promise.all(overlapping([container(), container(), container()]).map(pass));
  expect(second.filter((r) => r.kind === 'checked' && r.superseded)).toHaveLength(2);
  expect(events(second)).toEqual(['callback_url_wrong cleared']);
  expect(types(await inbox(2))).toEqual(['watchdog_callback_url_wrong_cleared']);

  // And a run repeated later, not overlapping: nothing new to say.
  clock += 1000;
  expect(events([await pass(container().deps), await pass(container().deps)])).toEqual([]);
  expect(await inbox(0)).toEqual([]);
});

it('min_balance: "Voximplant did not call us" when no callback came; quiet when the receiver verified one', async () => {
  const { deps } = container();
  standin.account.balance = 3;
  clock += 15 * MIN;
  await pass(deps); // the low spell starts: Voximplant gets a grace period
  clock += 15 * MIN;
  const result = (await pass(deps)) as Extract<PassResult, { kind: 'checked' }>;
  expect(result.opened.map((f) => f.condition)).toEqual(['min_balance_not_called']);
  const [alert] = await inbox(1);
  expect(alert.sms).toContain('Voximplant did not call us');
  expect(alert.email).toContain('3.00 USD');

  // The receiver verifies a min_balance callback: the watchdog sees the sighting and clears.
  const receiver = {
    ...fakeDeps(),
    sightings: new DynamoWatchState(new DynamoDBClient({}), resources.tableName, new MemoryLog(), () => clock),
  };
  const outcome = await receive(
    envelope(buildCallback(VOX, { callbackId: 5_000 + Math.floor(Math.random() * 1e6) })),
    receiver,
    Deadline.in(5000),
  );
  expect(outcome).toMatchObject({ kind: 'done', statusCode: 200 });
  clock += 15 * MIN;
  const after = container();
  const cleared = (await pass(after.deps)) as Extract<PassResult, { kind: 'checked' }>;
  expect(cleared.cleared.map((c) => c.condition)).toEqual(['min_balance_not_called']);
  expect(cleared.sightings.lastMinBalanceAt).toBeDefined();
  expect(after.metrics[METRICS.names.lastCallbackAge]).toBe(15 * 60);
  expect(types(await inbox(1))).toEqual(['watchdog_min_balance_not_called_cleared']);
});

it('refused credentials: counted for the operations alarm, no alert, state unchanged', async () => {
  const { deps, metrics } = container();
  standin.account.apiKey = 'rotated-in-voximplant-0123456789';
  standin.account.frozen = true;
  for (let i = 0; i < 3; i += 1) {
    clock += 15 * MIN;
    expect(await pass(deps)).toMatchObject({ kind: 'refused' });
  }
  expect(metrics[METRICS.names.apiAuthRefused]).toBe(3);
  expect(await inbox(0)).toEqual([]);
  standin.account.apiKey = VOX.apiKey;
  clock += 15 * MIN;
  expect(await pass(deps)).toMatchObject({ kind: 'checked', opened: [{ condition: 'account_frozen' }] });
  expect(types(await inbox(1))).toEqual(['watchdog_account_frozen']);
});

it('an API slower than its budget: the pass ends unavailable within the deadline, nothing changes, nobody is alerted', async () => {
  const { deps, metrics } = container({ apiTimeoutMs: 500 });
  standin.account.callbackUrl = undefined;
  standin.fault = { kind: 'slow' };
  const started = performance.now();
  const result = await pass(deps);
  console.log(`slow API: the pass decided in ${Math.round(performance.now() - started)} ms (API budget 500 ms)`);
  standin.release();
  expect(result.kind).toBe('unavailable');
  expect(result.kind === 'unavailable' && result.reason).toMatch(/no answer within 500 ms/);
  expect(metrics[METRICS.names.watchdogUnavailable]).toBe(1);
  expect(await inbox(0)).toEqual([]);
  standin.fault = undefined;
  clock += 15 * MIN;
  expect(await pass(deps)).toMatchObject({ kind: 'checked', opened: [{ condition: 'callback_url_wrong' }] });
  await inbox(1);
});

it('a dry pass (check-account) reports the findings and writes and publishes nothing', async () => {
  const { deps, metrics } = container();
  standin.account.frozen = true;
  clock += 15 * MIN;
  const dry = await runPass(deps, Deadline.in(20_000), { dry: true });
  expect(dry).toMatchObject({ kind: 'checked', findings: [{ condition: 'account_frozen' }] });
  expect(metrics).toEqual({});
  expect(await inbox(0)).toEqual([]);
  // The state was not touched: the real pass still opens it.
  expect(await pass(deps)).toMatchObject({ opened: [{ condition: 'account_frozen' }] });
  await inbox(1);
});

describe('npm run check-account', () => {
  const TSX = join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');
  const SCRIPT = join(__dirname, '..', '..', 'tools', 'check-account.ts');

  /** Runs the command as a user would (its own process, the AWS SDK reaching moto through the environment). */
  function checkAccount(): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const args = [SCRIPT, '--webhook-url', WEBHOOK, '--table', resources.tableName, '--prefix', resources.parameterPrefix];
    return new Promise((resolve, reject) => {
      execFile(TSX, [...args, '--voximplant-api', standin.url], { env: process.env, timeout: 60_000 }, (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') reject(error);
        else resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
      });
    });
  }

  it('exit 0 and one OK line when the account is healthy and linked to this stack', async () => {
    const { code, stdout } = await checkAccount();
    expect(stdout).toMatch(/^OK: linked to this stack \(https:\/\/abc123/);
    expect(stdout).toContain('balance 50.00 USD');
    expect(code).toBe(0);
  });

  it('exit 1 and one line per finding, the salt never printed, nothing published', async () => {
    Object.assign(standin.account, {
      callbackUrl: 'https://other-system.example/hook',
      callbackSalt: 'voximplant-side-salt',
      frozen: true,
    });
    const { code, stdout } = await checkAccount();
    const findings = stdout.split('\n').filter((line) => line.startsWith('FINDING '));
    expect(findings.map((line) => line.split(':')[0]).sort()).toEqual([
      'FINDING account_frozen',
      'FINDING callback_salt_wrong',
      'FINDING callback_url_wrong',
    ]);
    expect(stdout).not.toContain('voximplant-side-salt');
    expect(stdout).not.toContain(VOX.salt);
    expect(code).toBe(1);
    expect(await inbox(0)).toEqual([]);
  });

  it('exit 1 when Voximplant refuses the stored credentials', async () => {
    standin.account.apiKey = 'rotated-in-voximplant-0123456789';
    const { code, stdout } = await checkAccount();
    expect(stdout).toMatch(/^FINDING credentials_refused: /);
    expect(stdout).not.toContain(VOX.apiKey);
    expect(code).toBe(1);
  });

  it('exit 2 when the API cannot be asked', async () => {
    standin.fault = { kind: 'answer', status: 503, body: 'Service Unavailable', headers: { 'content-type': 'text/plain' } };
    const { code, stdout } = await checkAccount();
    expect(stdout).toMatch(/^UNAVAILABLE: .*HTTP 503/);
    expect(code).toBe(2);
  });
});
