/**
 * The acknowledge link end to end on moto: HTTP through the local API gateway (local/gateway-server.ts, the same
 * routing and payload 2.0 events as `npm start`) into the real acknowledge handler, which reads its key from SSM and
 * the incident through the real DynamoDB adapter. Genuine once, then replayed; two concurrent POSTs write once.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { SsmAckKey } from '../../lambda/aws/ssm-ack-key';
import { DynamoIncidentStore } from '../../lambda/aws/dynamo-incidents';
import { ACK_LINK_TTL_MS, signAckToken } from '../../lambda/incidents/ack-token';
import type { Incident } from '../../lambda/incidents/model';
import { loadAckHandler } from '../../local/function';
import { createGatewayServer } from '../../local/gateway-server';
import { listen } from '../../local/ports';
import { ackEnv, ensureAckKey, provision, type LocalResources } from '../../local/provision';
import { VOX } from '../../local/fixtures';

const ACK_KEY = `it-ack-key-${randomUUID()}`;
let resources: LocalResources;
let server: Server;
let base: string;
let dynamodb: DynamoDBClient;
let store: DynamoIncidentStore;
/** What the function wrote (Powertools logs), captured instead of printed. */
let output = '';
const signal = () => AbortSignal.timeout(5000);
let nextAccount = 100;
/** What the gateway reports per request (the line `npm start` prints). */
const served: string[] = [];

beforeAll(async () => {
  resources = await provision(`it-ack-${randomUUID().slice(0, 8)}`, { ...VOX, ackKey: ACK_KEY });
  Object.assign(process.env, ackEnv(resources), { POWERTOOLS_METRICS_DISABLED: 'true' });
  for (const stream of [process.stdout, process.stderr]) {
    jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      output += chunk.toString();
      return true;
    });
  }
  const handler = loadAckHandler();
  server = createGatewayServer({
    handler: (target) => (target === 'acknowledge' ? handler : undefined),
    region: () => process.env.AWS_REGION!,
    onRequest: ({ method, path, response }) => served.push(`${method} ${path} ${response.statusCode}`),
  });
  base = `http://127.0.0.1:${await listen(server, 0, '127.0.0.1')}`;
  dynamodb = new DynamoDBClient({});
  store = new DynamoIncidentStore(dynamodb, resources.incidentTableName);
});

afterAll(async () => {
  jest.restoreAllMocks();
  server?.close();
  server?.closeAllConnections();
  dynamodb?.destroy();
});

/** A new open incident in the table (its own account, so tests never share a record) and a link to it. */
async function openIncident(): Promise<{ incident: Incident; token: string }> {
  const now = Date.now();
  const incident: Incident = {
    key: { accountId: nextAccount++, kind: 'low_balance', subject: '' },
    incidentId: randomUUID().replace(/-/g, ''),
    status: 'open',
    openedAt: now - 3_600_000,
    openedBy: 'min_balance',
    lastSeenAt: now - 3_600_000,
    repeats: 0,
    level: 1,
    nextReminderAt: now + 600_000,
    pendingNotices: [],
    facts: {},
    version: 0,
  };
  expect(await store.put(incident, 0, signal())).toBe(true);
  const token = signAckToken(
    { key: incident.key, incidentId: incident.incidentId, expiresAt: Math.floor((now + ACK_LINK_TTL_MS) / 1000) },
    ACK_KEY,
  );
  return { incident: { ...incident, version: 1 }, token };
}

const post = (token: string, name?: string) =>
  fetch(`${base}/ack/${token}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: name === undefined ? '' : new URLSearchParams({ name }).toString(),
  });

it('GET shows the form and changes nothing; POST acknowledges; a replay answers 409 and changes nothing', async () => {
  const { incident, token } = await openIncident();

  const page = await fetch(`${base}/ack/${token}`);
  expect(page.status).toBe(200);
  expect(page.headers.get('content-security-policy')).toMatch(/^default-src 'none'/);
  expect(page.headers.get('cache-control')).toBe('no-store');
  expect(page.headers.get('referrer-policy')).toBe('no-referrer');
  expect(await page.text()).toContain('<form method="post">');
  expect(await store.get(incident.key, signal())).toEqual(incident);

  const first = await post(token, 'Ann');
  expect(first.status).toBe(200);
  expect(await first.text()).toContain('Acknowledged. Reminders stopped');
  const acknowledged = await store.get(incident.key, signal());
  expect(acknowledged).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'Ann', pendingNotices: ['acknowledged'], version: 2 });
  expect(acknowledged!.nextReminderAt).toBeUndefined();

  const replay = await post(token, 'Bob');
  expect(replay.status).toBe(409);
  expect(await replay.text()).toContain('already acknowledged by Ann');
  expect(await store.get(incident.key, signal())).toEqual(acknowledged);

  expect(output).toContain('"outcome":"acknowledged"');
  expect(output).not.toContain(token.split('.').pop()!);
  // npm start's request line shows the route, not the token.
  expect(served).toEqual(expect.arrayContaining(['GET /ack/{token} 200', 'POST /ack/{token} 200', 'POST /ack/{token} 409']));
  expect(served.join('\n')).not.toContain(token);
});

it('concurrent POSTs of the same link: exactly one acknowledges (one write), the others read already acknowledged', async () => {
  const { incident, token } = await openIncident();
  const names = ['One', 'Two', 'Three', 'Four'];
  const responses = await Promise.all(names.map((name) => post(token, name)));
  expect(responses.map((r) => r.status).sort()).toEqual([200, 409, 409, 409]);
  const after = await store.get(incident.key, signal());
  expect(after).toMatchObject({ status: 'acknowledged', version: 2, pendingNotices: ['acknowledged'] });
  expect(after!.acknowledgedBy).toBe(names[responses.findIndex((r) => r.status === 200)]);
});

it('a forged link and a link of another opening change nothing; a path outside the routes is the gateway 404', async () => {
  const { incident, token } = await openIncident();
  const forged = signAckToken({ key: incident.key, incidentId: incident.incidentId, expiresAt: 4_000_000_000 }, 'not-the-key');
  const other = signAckToken({ key: incident.key, incidentId: 'f'.repeat(32), expiresAt: 4_000_000_000 }, ACK_KEY);
  expect((await post(forged)).status).toBe(404);
  const otherResponse = await post(other);
  expect(otherResponse.status).toBe(404);
  expect(await otherResponse.text()).toContain('no longer on record');
  expect(await store.get(incident.key, signal())).toEqual(incident);
  const nowhere = await fetch(`${base}/ack/${token}/extra`, { method: 'POST' });
  expect([nowhere.status, await nowhere.json()]).toEqual([404, { message: 'Not Found' }]);
});

it('SsmAckKey on moto: the key as provisioned, and an absent parameter as undefined (links not set up)', async () => {
  const ssm = new SSMClient({});
  try {
    expect(await new SsmAckKey(ssm, ackEnv(resources).ACK_KEY_PARAMETER, 60_000).get(signal())).toBe(ACK_KEY);
    expect(await new SsmAckKey(ssm, `${resources.parameterPrefix}/no-such-ack-key`, 60_000).get(signal())).toBeUndefined();
  } finally {
    ssm.destroy();
  }
});

it('ensureAckKey (npm run configure) creates a random SecureString key once and keeps an existing one', async () => {
  const ssm = new SSMClient({});
  const prefix = `/it-ack-ensure-${randomUUID().slice(0, 8)}`;
  const read = async () => (await ssm.send(new GetParameterCommand({ Name: `${prefix}/ack-key`, WithDecryption: true }))).Parameter!;
  try {
    expect(await ensureAckKey(ssm, prefix)).toBe(true);
    const created = await read();
    expect(created.Type).toBe('SecureString');
    expect(created.Value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await ensureAckKey(ssm, prefix)).toBe(false);
    expect((await read()).Value).toBe(created.Value);
    // The provisioned stack's key is kept too.
    expect(await ensureAckKey(ssm, resources.parameterPrefix)).toBe(false);
  } finally {
    ssm.destroy();
  }
});
