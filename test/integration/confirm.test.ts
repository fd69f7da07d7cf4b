/**
 * Confirmed balance in balance alerts (issue 14, item 3), end to end: the real handler with its real SDK clients
 * against moto, and its real Management API client against the loopback stand-in (local/voximplant-standin.ts)
 * holding the same account id and API key as SSM. Each alert is read from the inbox subscribed to the topic.
 * Times are printed, never asserted: "decided before the deadline" is shown by the alert arriving while the
 * stand-in still holds the request unanswered.
 */
import { randomUUID } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import type { Alert } from '../../lambda/model';
import type { handler as Handler } from '../../lambda/handler';
import { ENV } from '../../lambda/contract';
import { buildCallback, envelope } from '../../local/callbacks';
import { provision, readInbox, receiverEnv, type LocalResources } from '../../local/provision';
import { VoximplantStandin } from '../../local/voximplant-standin';
import { httpEvent, VOX } from '../../local/fixtures';
import { INCIDENTS_OFF } from '../support/fixtures';

let resources: LocalResources;
let standin: VoximplantStandin;
let handler: typeof Handler;
let sqs: SQSClient;
let nextId = 9000;
/** Times printed once the handler's output is no longer captured. */
const timings: string[] = [];

beforeAll(async () => {
  resources = await provision(`confirm-${randomUUID().slice(0, 8)}`, VOX);
  standin = await VoximplantStandin.start({ account: { accountId: VOX.accountId, apiKey: VOX.apiKey } });
  sqs = new SQSClient({ endpoint: process.env.MOTO_ENDPOINT });
  // The handler's Powertools logs and metrics: kept out of the test output.
  for (const stream of [process.stdout, process.stderr]) jest.spyOn(stream, 'write').mockImplementation(() => true);
  Object.assign(process.env, receiverEnv(resources), {
    ...INCIDENTS_OFF,
    [ENV.voximplantApiUrl]: standin.url,
    [ENV.alertTypes]: 'min_balance,account_is_frozen,next_charge_alert,card_payment',
  });
  ({ handler } = await import('../../lambda/handler'));
});

afterAll(async () => {
  jest.restoreAllMocks();
  for (const line of timings) process.stderr.write(`confirm.test: ${line}\n`);
  sqs.destroy();
  standin.release();
  await standin.close();
});

beforeEach(async () => {
  standin.fault = undefined;
  Object.assign(standin.account, { balance: 4.2, frozen: false, creditLimit: 0, minBalanceToNotify: 10, apiKey: VOX.apiKey });
  await readInbox(sqs, resources.queueUrl, { waitMs: 0 });
});

/** A Lambda context with `remainingMs` left, as the runtime gives it. */
function context(remainingMs: number): Context {
  const end = Date.now() + remainingMs;
  return { getRemainingTimeInMillis: () => end - Date.now() } as Context;
}

async function send(callbacks: Array<Record<string, unknown>>, remainingMs = 10_000) {
  const start = performance.now();
  const result = await handler(httpEvent(envelope(...callbacks)), context(remainingMs));
  return { status: result.statusCode, body: JSON.parse(result.body ?? '{}'), ms: performance.now() - start };
}

async function alerts(expected: number): Promise<Alert[]> {
  const inbox = await readInbox(sqs, resources.queueUrl, { expected, waitMs: 3000 });
  return inbox.map((message) => JSON.parse(message.message) as Alert);
}

const calls = () => standin.requests.filter((r) => r.command === 'GetAccountInfo').length;

it('a topped-up account: the alert shows the confirmed balance and says it may have been topped up', async () => {
  standin.account.balance = 50;
  const before = calls();
  expect((await send([buildCallback(VOX, { callbackId: nextId++ })])).status).toBe(200);
  const [alert] = await alerts(1);
  expect(calls() - before).toBe(1);
  expect(alert.subject).toBe('Voximplant: balance low on acme (4.87 USD; confirmed 50.00 USD)');
  expect(alert.sms).toMatch(/^Voximplant: balance low \(4\.87 USD\)\. Confirmed 50\.00 USD at \d\d:\d\d UTC\. Top up now/);
  expect(alert.email).toContain('Confirmed balance: 50.00 USD\nCredit limit: 0.00 USD\nFrozen: no\n');
  expect(alert.email).toContain('may have been topped up');
});

it('still low: the confirmed balance, no top-up note; one call for a request of three balance callbacks', async () => {
  const before = calls();
  const response = await send([
    buildCallback(VOX, { callbackId: nextId++ }),
    buildCallback(VOX, { callbackId: nextId++, type: 'next_charge_alert', data: { required_money: 25, insufficient_funds_amount: 20.8 } }),
    buildCallback(VOX, { callbackId: nextId++, type: 'card_payment', data: { amount: 5 } }),
  ]);
  expect(response.body).toMatchObject({ accepted: 3 });
  const received = await alerts(3);
  expect(calls() - before).toBe(1);
  const byType = new Map(received.map((a) => [a.type, a]));
  expect(byType.get('min_balance')!.email).toContain('Confirmed balance: 4.20 USD');
  expect(byType.get('min_balance')!.email).not.toContain('topped up');
  expect(byType.get('next_charge_alert')!.sms).toContain('Confirmed 4.20 USD at ');
  expect(byType.get('card_payment')!.email).not.toContain('Confirmed');
});

it('a frozen account: every channel says so', async () => {
  standin.account.frozen = true;
  await send([buildCallback(VOX, { callbackId: nextId++, type: 'account_is_frozen' })]);
  const [alert] = await alerts(1);
  expect(alert.subject).toContain('confirmed 4.20 USD, frozen');
  expect(alert.sms).toContain('Confirmed 4.20 USD, FROZEN at ');
  expect(alert.email).toContain('Frozen: yes');
});

it('the API slow past the budget: the alert still goes out, unconfirmed, decided while the stand-in still holds the call', async () => {
  standin.fault = { kind: 'slow' };
  const before = calls();
  // 8 s left (2 s less than the function's timeout): the confirmation budget shrinks to what parking, settling
  // and publishing do not need (lambda/deadline.ts BUDGET: 8000 - 500 - 2000 - 1000 - 3500 = 1000 ms), not 1.5 s.
  const response = await send([buildCallback(VOX, { callbackId: nextId++ })], 8000);
  expect(response.status).toBe(200);
  const [alert] = await alerts(1);
  expect(calls() - before).toBe(1);
  expect(alert.sms).toContain('Not confirmed: timed out.');
  expect(alert.subject).toContain('unconfirmed');
  expect(alert.email).toContain("not confirmed: Voximplant's account API did not answer in time");
  timings.push(`slow API: the handler answered in ${response.ms.toFixed(0)} ms with 8,000 ms left (budget 1,000 ms)`);
  standin.release();
});

it('refused credentials: the alert goes out, saying so', async () => {
  standin.account.apiKey = 'rotated-elsewhere-0123456789abcdef';
  await send([buildCallback(VOX, { callbackId: nextId++ })]);
  const [alert] = await alerts(1);
  expect(alert.sms).toContain('Not confirmed: credentials refused.');
  expect(alert.email).toContain("refused this stack's credentials");
});

it('unverified and duplicate callbacks never ask: the stand-in sees no call', async () => {
  const id = nextId++;
  await send([buildCallback(VOX, { callbackId: id })]);
  await alerts(1);
  const before = calls();
  const forger = { salt: 'guess', apiKey: 'guess' };
  const forged = await send([
    buildCallback(VOX, { callbackId: nextId++, signWith: forger }),
    buildCallback(VOX, { callbackId: nextId++, type: 'account_is_frozen', signWith: forger }),
  ]);
  expect(forged.status).toBe(401);
  const duplicate = await send([buildCallback(VOX, { callbackId: id })]);
  expect(duplicate.body).toMatchObject({ accepted: 0, duplicates: 1 });
  expect(calls() - before).toBe(0);
  expect(await alerts(0)).toEqual([]);
});

it('with too little time left to ask, the alert goes out at once, saying so, and the API is not called', async () => {
  const before = calls();
  // 6 s left: parking, settling and publishing need all of it (lambda/deadline.ts BUDGET).
  const response = await send([buildCallback(VOX, { callbackId: nextId++ })], 6000);
  expect(response.status).toBe(200);
  const [alert] = await alerts(1);
  expect(calls() - before).toBe(0);
  expect(alert.sms).toContain('Not confirmed: no time.');
});
