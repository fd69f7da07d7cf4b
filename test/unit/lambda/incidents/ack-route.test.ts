/**
 * lambda/incidents/ack-route.ts (and the pages of ack-page.ts) over an in-memory incident store: genuine once,
 * replayed, expired, altered, for another incident, resolved; GET never writes; bounded bodies and tokens;
 * the name field cleaned; nothing secret in the log.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ACK_ROUTE, METRICS } from '../../../../lambda/contract';
import { Deadline } from '../../../../lambda/deadline';
import { cleanName, decideAck, handleAck, readForm, type AckDeps } from '../../../../lambda/incidents/ack-route';
import { CONTENT_SECURITY_POLICY } from '../../../../lambda/incidents/ack-page';
import { MAX_TOKEN_LENGTH, signAckToken, type AckClaims } from '../../../../lambda/incidents/ack-token';
import { incidentKeyString, type Incident } from '../../../../lambda/incidents/model';
import { AckKeyUnavailableError, type AckKeySource } from '../../../../lambda/incidents/ports';
import { MemoryLog } from '../../../support/fakes';
import { MemoryIncidentStore } from '../../../support/memory-incidents';

const KEY = 'unit-ack-key-5b1f0c7e9d2a4c3b8e6f00';
const NOW = Date.UTC(2026, 10, 30, 14, 0);
const OPENED = Date.UTC(2026, 10, 30, 2, 5);
const INCIDENT: Incident = {
  key: { accountId: 1234567, kind: 'low_balance', subject: '' },
  incidentId: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  status: 'open',
  openedAt: OPENED,
  openedBy: 'min_balance',
  lastSeenAt: OPENED,
  repeats: 2,
  level: 2,
  nextReminderAt: NOW + 3_600_000,
  pendingNotices: [],
  facts: { balance: 1.5, currency: 'USD' },
  version: 3,
};
const CLAIMS: AckClaims = { key: INCIDENT.key, incidentId: INCIDENT.incidentId, expiresAt: NOW / 1000 + 86_400 };
const TOKEN = signAckToken(CLAIMS, KEY);

class StaticKey implements AckKeySource {
  calls = 0;
  constructor(
    private readonly value: string | undefined,
    private readonly failure?: Error,
  ) {}
  async get(): Promise<string | undefined> {
    this.calls += 1;
    if (this.failure) throw this.failure;
    return this.value;
  }
}

function setup(incidents: readonly Incident[] = [INCIDENT], ackKey: AckKeySource = new StaticKey(KEY)) {
  const store = new MemoryIncidentStore(incidents);
  const log = new MemoryLog();
  const counts: Array<[string, number]> = [];
  const deps: AckDeps = { store, ackKey, log, counters: { count: (name, value) => counts.push([name, value]) } };
  return { store, log, counts, deps };
}

function event(
  method: string,
  token: string | undefined,
  body?: { text: string; base64?: boolean; type?: string; encoding?: string },
): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: `${method} ${ACK_ROUTE.path}`,
    rawPath: `/ack/${token ?? ''}`,
    rawQueryString: '',
    headers: {
      ...(body ? { 'content-type': body.type ?? 'application/x-www-form-urlencoded' } : {}),
      ...(body?.encoding ? { 'content-encoding': body.encoding } : {}),
    },
    ...(token === undefined ? {} : { pathParameters: { [ACK_ROUTE.parameter]: token } }),
    requestContext: { http: { method, path: `/ack/${token}`, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'test' } },
    isBase64Encoded: body?.base64 ?? false,
    ...(body ? { body: body.base64 ? Buffer.from(body.text).toString('base64') : body.text } : {}),
  } as unknown as APIGatewayProxyEventV2;
}

const post = (token: string, text = '', base64 = false) => event('POST', token, { text, base64 });
const deadline = () => Deadline.in(5000);
const stored = (store: MemoryIncidentStore) => store.records.get(incidentKeyString(INCIDENT.key));

describe('GET shows the incident and a form, and changes nothing', () => {
  it('a genuine link: 200, the account, what and when, a form that posts back here; no write', async () => {
    const { store, deps } = setup();
    const response = await handleAck(event('GET', TOKEN), deps, NOW, deadline());
    expect(response.statusCode).toBe(200);
    const html = String(response.body);
    expect(html).toContain('1234567');
    expect(html).toContain('Low balance');
    expect(html).toContain('2026-11-30 02:05 UTC');
    expect(html).toMatch(/<form method="post">/);
    expect(html).toContain(`name="${ACK_ROUTE.nameField}" maxlength="${ACK_ROUTE.nameMaxLength}"`);
    expect(store.puts).toBe(0);
    expect(stored(store)).toEqual(INCIDENT);
  });

  it.each([
    ['open', INCIDENT, 200, 'confirm'],
    [
      'acknowledged',
      { ...INCIDENT, status: 'acknowledged' as const, acknowledgedAt: NOW - 60_000, acknowledgedBy: 'Ann' },
      200,
      'already-acknowledged',
    ],
    [
      'resolved',
      { ...INCIDENT, status: 'resolved' as const, resolvedAt: NOW - 60_000, pendingNotices: ['resolved' as const] },
      200,
      'resolved',
    ],
    ['opened again', { ...INCIDENT, incidentId: 'b'.repeat(32) }, 404, 'not-found'],
  ])('never writes, whatever the incident is (%s)', async (_, incident, statusCode, kind) => {
    const { store, deps } = setup([incident]);
    for (const method of ['GET', 'HEAD']) {
      const decision = await decideAck(event(method, TOKEN), deps, NOW, deadline());
      expect([decision.statusCode, decision.view.kind]).toEqual([statusCode, kind]);
    }
    expect(store.puts).toBe(0);
    expect(stored(store)).toEqual(incident);
  });
});

describe('POST acknowledges once', () => {
  it('genuine: 200 "Acknowledged", reminders stopped, the others to be told, the name recorded', async () => {
    const { store, counts, deps } = setup();
    const response = await handleAck(post(TOKEN, 'name=Ann+Lee'), deps, NOW, deadline());
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('Acknowledged. Reminders stopped; everyone who got the incident will be told.');
    const after = stored(store)!;
    expect(after).toMatchObject({
      status: 'acknowledged',
      acknowledgedAt: NOW,
      acknowledgedBy: 'Ann Lee',
      pendingNotices: ['acknowledged'],
      version: 4,
    });
    expect(after.nextReminderAt).toBeUndefined();
    expect(counts).toEqual([[METRICS.names.acknowledged, 1]]);
  });

  it('replayed: the second POST answers 409 already acknowledged (who, when) and changes nothing', async () => {
    const { store, deps } = setup();
    await handleAck(post(TOKEN, 'name=Ann'), deps, NOW, deadline());
    const first = stored(store);
    const again = await handleAck(post(TOKEN, 'name=Mallory'), deps, NOW + 5 * 60_000, deadline());
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('already acknowledged by Ann at 2026-11-30 14:00 UTC');
    expect(again.body).not.toContain('Mallory');
    expect(stored(store)).toEqual(first);
    expect(store.puts).toBe(1);
  });

  it('concurrent: of two POSTs exactly one acknowledges, the other reads already-acknowledged', async () => {
    const { store, deps } = setup();
    const decisions = await Promise.all([
      decideAck(post(TOKEN, 'name=One'), deps, NOW, deadline()),
      decideAck(post(TOKEN, 'name=Two'), deps, NOW, deadline()),
    ]);
    expect(decisions.map((d) => d.view.kind).sort()).toEqual(['acknowledged', 'already-acknowledged']);
    expect(store.puts).toBe(1);
    const winner = decisions.findIndex((d) => d.view.kind === 'acknowledged');
    expect(stored(store)!.acknowledgedBy).toBe(winner === 0 ? 'One' : 'Two');
  });

  it('an incident already resolved: 409, nothing to acknowledge, no write', async () => {
    const resolved = {
      ...INCIDENT,
      status: 'resolved' as const,
      resolvedAt: NOW - 1000,
      resolvedBy: 'card_payment',
      pendingNotices: ['resolved' as const],
    };
    const { store, deps } = setup([resolved]);
    const response = await handleAck(post(TOKEN), deps, NOW, deadline());
    expect(response.statusCode).toBe(409);
    expect(response.body).toContain('was resolved at');
    expect(store.puts).toBe(0);
    expect(stored(store)).toEqual(resolved);
  });

  it('a genuine link of another opening (valid signature, other incidentId): 404, no write', async () => {
    const { store, deps } = setup();
    const other = signAckToken({ ...CLAIMS, incidentId: 'c'.repeat(32) }, KEY);
    const response = await handleAck(post(other), deps, NOW, deadline());
    expect(response.statusCode).toBe(404);
    expect(response.body).toContain('no longer on record');
    expect(store.puts).toBe(0);
  });

  it('no record at all for the key: 404, no write', async () => {
    const { store, deps } = setup([]);
    expect((await decideAck(post(TOKEN), deps, NOW, deadline())).view.kind).toBe('not-found');
    expect(store.records.size).toBe(0);
  });
});

describe('refused links change nothing', () => {
  it('expired: 410, no store call', async () => {
    const { store, counts, deps } = setup();
    store.failure = 'must not be asked';
    const response = await handleAck(post(TOKEN), deps, CLAIMS.expiresAt * 1000, deadline());
    expect(response.statusCode).toBe(410);
    expect(response.body).toContain('expired');
    expect(counts).toEqual([[METRICS.names.ackRefused, 1]]);
  });

  it('altered at any position: the same 404 page as a malformed token, no write', async () => {
    const { store, deps } = setup();
    const invalid = await handleAck(post('garbage'), deps, NOW, deadline());
    expect(invalid.statusCode).toBe(404);
    for (let i = 0; i < TOKEN.length; i += 1) {
      const altered = TOKEN.slice(0, i) + (TOKEN[i] === 'A' ? 'B' : 'A') + TOKEN.slice(i + 1);
      const response = await handleAck(post(altered), deps, NOW, deadline());
      expect([response.statusCode, response.body]).toEqual([404, invalid.body]);
    }
    expect(store.puts).toBe(0);
    expect(stored(store)).toEqual(INCIDENT);
  });

  it('oversized or missing token: 404 invalid', async () => {
    const { deps } = setup();
    expect((await decideAck(post('A'.repeat(MAX_TOKEN_LENGTH + 1)), deps, NOW, deadline())).view.kind).toBe('invalid');
    expect((await decideAck(event('GET', undefined), deps, NOW, deadline())).view.kind).toBe('invalid');
  });

  it('signed with another key: 404 invalid', async () => {
    const { deps } = setup();
    expect((await decideAck(post(signAckToken(CLAIMS, 'other-key')), deps, NOW, deadline())).statusCode).toBe(404);
  });
});

describe('requests that are not the form', () => {
  it('a body over ACK_ROUTE.maxBodyBytes: 413 before the key is read (plain and base64)', async () => {
    const key = new StaticKey(KEY);
    const { store, deps } = setup([INCIDENT], key);
    const big = `name=${'x'.repeat(ACK_ROUTE.maxBodyBytes)}`;
    expect((await decideAck(post(TOKEN, big), deps, NOW, deadline())).statusCode).toBe(413);
    expect((await decideAck(post(TOKEN, big, true), deps, NOW, deadline())).statusCode).toBe(413);
    expect(key.calls).toBe(0);
    expect(store.puts).toBe(0);
  });

  it('a base64 body within the bound is read (API Gateway may encode forms)', async () => {
    const { store, deps } = setup();
    expect((await decideAck(post(TOKEN, 'name=Bo', true), deps, NOW, deadline())).view.kind).toBe('acknowledged');
    expect(stored(store)!.acknowledgedBy).toBe('Bo');
  });

  it('another content type or a content coding: 415; another method: 405', async () => {
    const { store, deps } = setup();
    expect(
      (await decideAck(event('POST', TOKEN, { text: '{"name":"x"}', type: 'application/json' }), deps, NOW, deadline())).statusCode,
    ).toBe(415);
    expect((await decideAck(event('POST', TOKEN, { text: 'name=x', encoding: 'gzip' }), deps, NOW, deadline())).statusCode).toBe(415);
    expect((await decideAck(event('POST', TOKEN), deps, NOW, deadline())).statusCode).toBe(415);
    expect((await decideAck(event('DELETE', TOKEN), deps, NOW, deadline())).statusCode).toBe(405);
    expect(store.puts).toBe(0);
  });

  it('content type parameters are fine (charset)', () => {
    const form = readForm(event('POST', TOKEN, { text: 'name=Z%C3%BC', type: 'application/x-www-form-urlencoded; charset=UTF-8' }));
    expect(form).toEqual({ ok: true, name: 'Zü' });
  });
});

describe('the name field', () => {
  it.each([
    ['  Ann\u0000 \u0007Lee\r\n', 'Ann Lee'],
    ['a\u202eevil\u200b', 'aevil'],
    ['   ', undefined],
    ['', undefined],
    [null, undefined],
  ])('cleans %j to %j', (raw, expected) => {
    expect(cleanName(raw)).toBe(expected);
  });

  it('is at most ACK_ROUTE.nameMaxLength code points, never splitting one', () => {
    const name = cleanName('😀'.repeat(100))!;
    expect(Array.from(name).length).toBeLessThanOrEqual(ACK_ROUTE.nameMaxLength);
    expect(name).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it('is HTML-escaped on the page', async () => {
    const { deps } = setup();
    await handleAck(post(TOKEN, `name=${encodeURIComponent('<script>alert(1)</script>')}`), deps, NOW, deadline());
    const page = await handleAck(event('GET', TOKEN), deps, NOW, deadline());
    expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.body).not.toContain('<script>');
  });
});

describe('dependencies failing, and what every page carries', () => {
  it('no acknowledge key: 404 "not set up"; the key unreadable: 503 try again; the store failing: 503', async () => {
    // 404, not 5xx: nothing to retry until the key exists, and no outsider can raise the Api5xx alarm with it.
    expect(await decideAck(post(TOKEN), setup([INCIDENT], new StaticKey(undefined)).deps, NOW, deadline())).toEqual({
      statusCode: 404,
      view: { kind: 'not-set-up' },
    });
    const unreadable = setup([INCIDENT], new StaticKey(KEY, new AckKeyUnavailableError('throttled')));
    expect(await decideAck(post(TOKEN), unreadable.deps, NOW, deadline())).toEqual({ statusCode: 503, view: { kind: 'unavailable' } });
    const failing = setup();
    failing.store.failure = 'ProvisionedThroughputExceededException';
    const response = await handleAck(post(TOKEN), failing.deps, NOW, deadline());
    expect(response.statusCode).toBe(503);
    expect(response.headers?.['retry-after']).toBe('60');
    expect(failing.counts).toEqual([[METRICS.names.ackUnavailable, 1]]);
  });

  it('a spent deadline: 503, not a hang', async () => {
    const { deps } = setup();
    expect((await decideAck(post(TOKEN), deps, NOW, Deadline.in(0))).statusCode).toBe(503);
  });

  it('headers: HTML, no-store, no referrer, nosniff, a CSP that allows only the page’s own style', async () => {
    const { deps } = setup();
    const response = await handleAck(event('GET', TOKEN), deps, NOW, deadline());
    expect(response.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      'content-security-policy': CONTENT_SECURITY_POLICY,
    });
    expect(CONTENT_SECURITY_POLICY).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]{43}='; form-action 'self'/);
    expect(response.body).not.toMatch(/<script|https?:\/\//);
  });

  it('logs the incident key and the outcome, never the token nor the name', async () => {
    const { log, deps } = setup();
    await handleAck(post(TOKEN, 'name=Secretive+Person'), deps, NOW, deadline());
    await handleAck(post(`${TOKEN}x`), deps, NOW, deadline());
    const text = log.text();
    expect(text).toContain(incidentKeyString(INCIDENT.key));
    expect(text).toContain('"outcome":"acknowledged"');
    expect(text).toContain('"outcome":"invalid"');
    expect(text).not.toContain(TOKEN.split('.').pop()!);
    expect(text).not.toContain('Secretive');
  });
});
