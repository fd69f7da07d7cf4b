/**
 * The webhook path with in-memory edges: what is answered, published, remembered and parked.
 */
import { handleWebhook } from '../../../lambda/http';
import { METRICS } from '../../../lambda/contract';
import { SecretsUnavailableError } from '../../../lambda/errors';
import { buildCallback, envelope } from '../../../local/callbacks';
import { fakeDeps } from '../../support/fakes';
import { httpEvent, VECTOR, VOX } from '../../../local/fixtures';

const FORGER = { salt: 'guess', apiKey: 'guess' };

function post(body: string, deps: ReturnType<typeof fakeDeps>, base64 = false) {
  return handleWebhook(httpEvent(body, { base64 }), deps, () => 1_700_000_000_000);
}

function bodyOf(result: { body?: string }) {
  return JSON.parse(result.body ?? '{}');
}

/** The items of every parked request, as parked. */
function parkedItems(deps: ReturnType<typeof fakeDeps>): Array<Record<string, unknown>> {
  return deps.retryQueue.parked.flatMap((p) => JSON.parse(p.body).callbacks);
}

/** Personal fields the renderer never shows: a parked request must not keep them. */
const PERSONAL = ['account_email', 'account_first_name', 'account_last_name'];

describe('handleWebhook', () => {
  it('publishes one alert for the reference example and answers 200 with counts', async () => {
    const deps = fakeDeps();
    const result = await post(envelope(buildCallback(VOX, { callbackId: VECTOR.callbackId })), deps);
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toEqual({ accepted: 1, duplicates: 0, ignored: 0, rejected: 0 });
    expect(deps.publisher.sent).toHaveLength(1);
    expect(deps.publisher.sent[0]).toMatchObject({ callbackId: VECTOR.callbackId, type: 'min_balance', severity: 'critical' });
    expect(deps.dedupe.records.get(`${VECTOR.accountId}#${VECTOR.callbackId}`)).toBe('done');
  });

  it('accepts a base64-encoded body', async () => {
    const deps = fakeDeps();
    const result = await post(envelope(buildCallback(VOX, { callbackId: 1 })), deps, true);
    expect(result.statusCode).toBe(200);
    expect(deps.publisher.sent).toHaveLength(1);
  });

  it('handles a mixed batch item by item: good, forged, duplicate, unknown type, malformed', async () => {
    const deps = fakeDeps();
    await post(envelope(buildCallback(VOX, { callbackId: 10 })), deps); // delivered earlier
    deps.publisher.sent.length = 0;
    const result = await post(
      envelope(
        buildCallback(VOX, { callbackId: 11 }),
        buildCallback(VOX, { callbackId: 12, signWith: FORGER }),
        buildCallback(VOX, { callbackId: 10 }),
        buildCallback(VOX, { callbackId: 13, type: 'brand_new_type' }),
        { callback_id: 'x' },
        buildCallback(VOX, { callbackId: 14, fields: { account_id: 7654321 } }),
      ),
      deps,
    );
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toEqual({ accepted: 1, duplicates: 1, ignored: 1, rejected: 3 });
    expect(deps.publisher.sent.map((a) => a.callbackId)).toEqual([11]);
    expect(deps.counts[METRICS.names.received]).toBe(6 + 1);
    expect(deps.counts[METRICS.names.rejected]).toBe(3);
    expect(deps.counts[METRICS.names.badSignature]).toBe(1); // the forged one; not the malformed or other-account ones
  });

  it('answers 401 when nothing verifies, with no detail in the body and the reasons in the log', async () => {
    const deps = fakeDeps();
    const result = await post(
      envelope(buildCallback(VOX, { callbackId: 1, signWith: FORGER }), buildCallback(VOX, { callbackId: 2, fields: { account_id: 1 } })),
      deps,
    );
    expect(result.statusCode).toBe(401);
    expect(bodyOf(result)).toEqual({ message: 'unauthorized' });
    expect(deps.publisher.sent).toHaveLength(0);
    expect(deps.log.text()).toContain('bad_hash');
    expect(deps.log.text()).toContain('wrong_account');
  });

  it('one good item does not vouch for a forged one with the same id in the batch', async () => {
    const deps = fakeDeps();
    const forged = buildCallback(VOX, { callbackId: 5, signWith: FORGER, fields: { balance: 1_000_000 } });
    const result = await post(envelope(forged, buildCallback(VOX, { callbackId: 5 })), deps);
    expect(bodyOf(result)).toEqual({ accepted: 1, duplicates: 0, ignored: 0, rejected: 1 });
    expect(deps.publisher.sent).toHaveLength(1);
    expect(deps.publisher.sent[0].email).not.toContain('1000000');
  });

  it('alerts once for the same callback repeated inside one request', async () => {
    const deps = fakeDeps();
    const item = buildCallback(VOX, { callbackId: 7 });
    const result = await post(envelope(item, item), deps);
    expect(bodyOf(result)).toEqual({ accepted: 1, duplicates: 1, ignored: 0, rejected: 0 });
    expect(deps.publisher.sent).toHaveLength(1);
  });

  it('answers 401 to a request of only malformed items without reading secrets', async () => {
    const deps = fakeDeps();
    const result = await post('{"callbacks":[{},{"type":"min_balance"}]}', deps);
    expect(result.statusCode).toBe(401);
    expect(deps.secrets.calls).toBe(0);
  });

  it.each([
    ['non-JSON', 'not json'],
    ['callbacks as an object', '{"callbacks":{}}'],
    ['an empty array', '{"callbacks":[]}'],
  ])('answers 400 to %s without reading secrets', async (_name, body) => {
    const deps = fakeDeps();
    expect((await post(body, deps)).statusCode).toBe(400);
    expect(deps.secrets.calls).toBe(0);
  });

  it('answers 413 to an oversized body', async () => {
    const deps = fakeDeps({ MAX_BODY_BYTES: '100' });
    expect((await post(envelope(buildCallback(VOX, { callbackId: 1 })), deps)).statusCode).toBe(413);
  });

  it('answers GET as a health check without reading secrets', async () => {
    const deps = fakeDeps();
    const result = await handleWebhook(httpEvent(undefined, { method: 'GET' }), deps);
    expect(result.statusCode).toBe(200);
    expect(deps.secrets.calls).toBe(0);
  });

  it('acknowledges but does not forward types outside ALERT_TYPES; `*` forwards all', async () => {
    const only = fakeDeps();
    const batch = envelope(buildCallback(VOX, { callbackId: 1 }), buildCallback(VOX, { callbackId: 2, type: 'account_is_frozen' }));
    expect(bodyOf(await post(batch, only))).toEqual({ accepted: 1, duplicates: 0, ignored: 1, rejected: 0 });
    expect(only.counts[METRICS.names.ignored]).toBe(1);

    const all = fakeDeps({ ALERT_TYPES: '*' });
    expect(bodyOf(await post(batch, all))).toEqual({ accepted: 2, duplicates: 0, ignored: 0, rejected: 0 });
    expect(all.publisher.sent.map((a) => a.type).sort()).toEqual(['account_is_frozen', 'min_balance']);
  });

  it('consumes a verified id of an ignored type, so a replay as min_balance in other words is a duplicate', async () => {
    const deps = fakeDeps(); // forwards min_balance only
    const payment = buildCallback(VOX, { callbackId: 31, type: 'card_payment', data: { amount: 10 } });
    expect(bodyOf(await post(envelope(payment), deps))).toEqual({ accepted: 0, duplicates: 0, ignored: 1, rejected: 0 });
    expect(deps.dedupe.records.get(`${VECTOR.accountId}#31`)).toBe('done');

    // The captured id and hash, replayed as a critical low balance in the attacker's words.
    const replay = { ...payment, type: 'min_balance', balance: 0.01, account_name: 'call +1 555 0100 now', min_balance: {} };
    const result = await post(envelope(replay), deps);
    expect(bodyOf(result)).toEqual({ accepted: 0, duplicates: 1, ignored: 0, rejected: 0 });
    expect(deps.publisher.sent).toHaveLength(0);
  });

  it('counts a well-formed request that verifies nothing as unverifiable (wrong account id or secrets), not junk', async () => {
    const wrongAccount = fakeDeps();
    await post(envelope(buildCallback(VOX, { callbackId: 1, fields: { account_id: 7654321 } })), wrongAccount);
    expect(wrongAccount.counts[METRICS.names.unverifiable]).toBe(1);

    const wrongSalt = fakeDeps();
    await post(
      envelope(buildCallback(VOX, { callbackId: 1, signWith: FORGER }), buildCallback(VOX, { callbackId: 2, signWith: FORGER })),
      wrongSalt,
    );
    expect(wrongSalt.counts[METRICS.names.unverifiable]).toBe(1); // one per request, not per item

    const junk = fakeDeps();
    await post('{"callbacks":[{},{"type":"min_balance"}]}', junk);
    await post('not json', junk);
    expect(junk.counts[METRICS.names.unverifiable]).toBeUndefined();

    const mixed = fakeDeps();
    await post(envelope(buildCallback(VOX, { callbackId: 1 }), buildCallback(VOX, { callbackId: 2, signWith: FORGER })), mixed);
    expect(mixed.counts[METRICS.names.unverifiable]).toBeUndefined();
  });

  it('verifies decimal-string ids over the same digits, and alerts once for the number and its string', async () => {
    const deps = fakeDeps();
    const callback = buildCallback(VOX, { callbackId: 40213 });
    const asStrings = { ...callback, callback_id: '40213', account_id: String(callback.account_id) };
    const result = await post(envelope(asStrings), deps);
    expect(bodyOf(result)).toEqual({ accepted: 1, duplicates: 0, ignored: 0, rejected: 0 });
    expect(bodyOf(await post(envelope(callback), deps))).toEqual({ accepted: 0, duplicates: 1, ignored: 0, rejected: 0 });
    expect(deps.publisher.sent.map((a) => a.callbackId)).toEqual([40213]);
  });

  it('publishes min_balance first, then by severity', async () => {
    const deps = fakeDeps({ ALERT_TYPES: '*' });
    await post(
      envelope(
        buildCallback(VOX, { callbackId: 1, type: 'card_payment', data: { amount: 10, transaction_id: 1, transaction_type: 'card' } }),
        buildCallback(VOX, { callbackId: 2, type: 'card_expired' }),
        buildCallback(VOX, { callbackId: 3, type: 'account_is_frozen' }),
        buildCallback(VOX, { callbackId: 4 }),
      ),
      deps,
    );
    expect(deps.publisher.sent.map((a) => a.type)).toEqual(['min_balance', 'account_is_frozen', 'card_expired', 'card_payment']);
  });

  it('parks the well-formed items, unverified and without personal fields, and answers 202 when secrets are unavailable', async () => {
    const deps = fakeDeps();
    deps.secrets.failure = new SecretsUnavailableError('SSM down');
    const callback = buildCallback(VOX, { callbackId: 1 });
    const body = `{"callbacks":[${JSON.stringify(callback)},"junk",{"callback_id":"x"}]}`;
    const result = await post(body, deps);
    expect(result.statusCode).toBe(202);
    expect(deps.retryQueue.parked).toMatchObject([{ receivedAt: 1_700_000_000_000, verified: false }]);
    const [parked, ...more] = parkedItems(deps);
    expect(more).toHaveLength(0);
    expect(parked).toMatchObject({ callback_id: 1, account_id: callback.account_id, type: 'min_balance', hash: callback.hash });
    expect(parked).toMatchObject({ balance: callback.balance, currency: callback.currency, account_name: callback.account_name });
    for (const field of PERSONAL) expect(parked).not.toHaveProperty(field);
    expect(deps.publisher.sent).toHaveLength(0);
    expect(deps.dedupe.records.size).toBe(0);
    expect(deps.counts[METRICS.names.secretsUnavailable]).toBe(1);
    expect(deps.counts[METRICS.names.parked]).toBe(1);
  });

  it('parks the decoded body of a base64 request', async () => {
    const deps = fakeDeps();
    deps.secrets.failure = new SecretsUnavailableError('SSM down');
    const body = envelope(buildCallback(VOX, { callbackId: 1 }));
    expect((await post(body, deps, true)).statusCode).toBe(202);
    expect(parkedItems(deps).map((item) => item.callback_id)).toEqual([1]);
  });

  it('answers 503 only when the request can be neither handled nor parked', async () => {
    const deps = fakeDeps();
    deps.secrets.failure = new SecretsUnavailableError('SSM down');
    deps.retryQueue.failure = new Error('SQS down');
    const result = await post(envelope(buildCallback(VOX, { callbackId: 1 })), deps);
    expect(result.statusCode).toBe(503);
    expect(deps.counts[METRICS.names.parkingFailures]).toBe(1);
  });

  it('does not park what can never succeed: 400, 401 and 413 are final', async () => {
    const deps = fakeDeps({ MAX_BODY_BYTES: '2000' });
    deps.publisher.failing = 'all';
    await post('nope', deps);
    await post(envelope(buildCallback(VOX, { callbackId: 1, signWith: FORGER })), deps);
    await post('x'.repeat(3000), deps);
    expect(deps.retryQueue.parked).toHaveLength(0);
  });

  it('parks and releases the claim when publishing fails, so the retry alerts once', async () => {
    const deps = fakeDeps();
    const batch = envelope(buildCallback(VOX, { callbackId: 1 }), buildCallback(VOX, { callbackId: 2 }));
    deps.publisher.failing = new Set([2]);
    const first = await post(batch, deps);
    expect(first.statusCode).toBe(202);
    expect(bodyOf(first)).toMatchObject({ accepted: 1 });
    // Only the item still to alert, verified: no hash, no personal fields.
    expect(deps.retryQueue.parked).toMatchObject([{ verified: true }]);
    expect(parkedItems(deps).map((item) => item.callback_id)).toEqual([2]);
    expect(parkedItems(deps)[0]).not.toHaveProperty('hash');
    for (const field of PERSONAL) expect(parkedItems(deps)[0]).not.toHaveProperty(field);
    expect(deps.dedupe.released).toEqual([`${VECTOR.accountId}#2`]);
    expect(deps.counts[METRICS.names.publishFailures]).toBe(1);

    deps.publisher.failing = new Set();
    const retry = await post(batch, deps);
    expect(retry.statusCode).toBe(200);
    expect(bodyOf(retry)).toEqual({ accepted: 1, duplicates: 1, ignored: 0, rejected: 0 });
    expect(deps.publisher.sent.map((a) => a.callbackId)).toEqual([1, 2]);
  });

  it("writes each alert in its callback's language_code, keeps it through parking, and lets ALERT_LANGUAGE override it", async () => {
    const deps = fakeDeps();
    const russian = buildCallback(VOX, { callbackId: 1, fields: { language_code: 'ru' } });
    const batch = envelope(russian, buildCallback(VOX, { callbackId: 2 }));
    deps.publisher.failing = new Set([1]);
    await post(batch, deps);
    expect(deps.publisher.sent.map((a) => [a.callbackId, a.sms.slice(0, 25)])).toEqual([[2, 'Voximplant: balance low (']]);
    expect(parkedItems(deps)).toMatchObject([{ callback_id: 1, language_code: 'ru' }]);
    deps.publisher.failing = new Set();
    await post(batch, deps);
    const retried = deps.publisher.sent.find((a) => a.callbackId === 1)!;
    expect(retried.sms).toMatch(/^Voximplant: низкий баланс \(4,87 USD\)\./);
    expect(retried.email).toContain('Баланс: 4,87 USD');
    expect(retried.subject).toBe(deps.publisher.sent[0].subject); // ASCII: the English subject

    const english = fakeDeps({ ALERT_LANGUAGE: 'en' });
    await post(envelope(russian), english);
    expect(english.publisher.sent[0].sms).toMatch(/^Voximplant: balance low/);
    const ru = fakeDeps({ ALERT_LANGUAGE: 'ru' });
    await post(envelope(buildCallback(VOX, { callbackId: 3 })), ru);
    expect(ru.publisher.sent[0].sms).toMatch(/^Voximplant: низкий баланс/);
  });

  it('parks a callback another attempt claimed and never finished (busy), alerting the rest at once', async () => {
    // A claim left pending: an attempt still running, or one that crashed or could not release its claim.
    // Calling that a duplicate would lose the alert if the other attempt never publishes.
    const deps = fakeDeps();
    deps.dedupe.records.set(`${VECTOR.accountId}#1`, 'pending');
    const batch = envelope(buildCallback(VOX, { callbackId: 1 }), buildCallback(VOX, { callbackId: 2 }));
    const first = await post(batch, deps);
    expect(first.statusCode).toBe(202);
    expect(bodyOf(first)).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(deps.publisher.sent.map((a) => a.callbackId)).toEqual([2]);
    expect(parkedItems(deps).map((item) => item.callback_id)).toEqual([1]);
    expect(deps.counts[METRICS.names.busy]).toBe(1);
    expect(deps.log.lines.some((l) => String(l.message).includes('claimed by another attempt'))).toBe(true);

    deps.dedupe.records.delete(`${VECTOR.accountId}#1`); // the lease lapsed
    const retry = await post(batch, deps);
    expect(retry.statusCode).toBe(200);
    expect(bodyOf(retry)).toEqual({ accepted: 1, duplicates: 1, ignored: 0, rejected: 0 });
    expect(deps.publisher.sent.map((a) => a.callbackId)).toEqual([2, 1]);
  });

  it('parks a publish with an unknown outcome and records it on the claim: one more publish, never a third', async () => {
    const deps = fakeDeps();
    const key = `${VECTOR.accountId}#1`;
    const body = envelope(buildCallback(VOX, { callbackId: 1 }));
    deps.publisher.slow = 'all';
    const first = await post(body, deps);
    expect(first.statusCode).toBe(202);
    expect(bodyOf(first)).toMatchObject({ accepted: 0, duplicates: 0 });
    expect(deps.retryQueue.parked).toMatchObject([{ verified: true }]);
    expect(parkedItems(deps).map((item) => item.callback_id)).toEqual([1]);
    expect(deps.dedupe.records.get(key)).toBe('ambiguous');
    expect(deps.dedupe.released).toEqual([]); // not released: it may have gone out
    expect(deps.counts[METRICS.names.publishAmbiguous]).toBe(1);
    expect(deps.counts[METRICS.names.publishFailures] ?? 0).toBe(0);

    // The one extra publish is refused (provably not sent): it stays unspent.
    deps.publisher.slow = new Set();
    deps.publisher.failing = 'all';
    expect((await post(body, deps)).statusCode).toBe(202);
    expect(deps.dedupe.records.get(key)).toBe('ambiguous');

    // It goes out: done, and every later attempt is a duplicate.
    deps.publisher.failing = new Set();
    expect(bodyOf(await post(body, deps))).toEqual({ accepted: 1, duplicates: 0, ignored: 0, rejected: 0 });
    expect(bodyOf(await post(body, deps))).toEqual({ accepted: 0, duplicates: 1, ignored: 0, rejected: 0 });
    expect(deps.publisher.sent.map((a) => a.callbackId)).toEqual([1, 1]);
  });

  it('parks a publish with an unknown outcome when the dedupe table is unavailable, recording nothing', async () => {
    const deps = fakeDeps();
    deps.dedupe.unavailable = true;
    deps.publisher.slow = 'all';
    const result = await post(envelope(buildCallback(VOX, { callbackId: 1 })), deps);
    expect(result.statusCode).toBe(202);
    expect(deps.dedupe.records.size).toBe(0);
    expect(deps.log.lines.some((l) => String(l.message).includes('unknown outcome'))).toBe(true);
  });

  it('answers a callback whose claim was completed as a duplicate, with nothing parked', async () => {
    const deps = fakeDeps();
    deps.dedupe.records.set(`${VECTOR.accountId}#1`, 'done');
    const result = await post(envelope(buildCallback(VOX, { callbackId: 1 })), deps);
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toEqual({ accepted: 0, duplicates: 1, ignored: 0, rejected: 0 });
    expect(deps.retryQueue.parked).toHaveLength(0);
  });

  it('still publishes when the dedupe table is unavailable (a duplicate beats a lost alert)', async () => {
    const deps = fakeDeps();
    deps.dedupe.unavailable = true;
    const result = await post(envelope(buildCallback(VOX, { callbackId: 1 })), deps);
    expect(result.statusCode).toBe(200);
    expect(deps.publisher.sent).toHaveLength(1);
    expect(deps.counts[METRICS.names.dedupeUnavailable]).toBe(1);
  });

  it('never logs secrets, hashes or personal fields', async () => {
    const deps = fakeDeps({ ALERT_TYPES: '*' });
    const genuine = buildCallback(VOX, { callbackId: 1 });
    const forged = buildCallback(VOX, { callbackId: 2, signWith: FORGER });
    await post(envelope(genuine, forged, { callback_id: 3, hash: 'h'.repeat(32) }), deps);
    deps.publisher.failing = 'all';
    await post(envelope(buildCallback(VOX, { callbackId: 4 })), deps);
    const logged = deps.log.text();
    expect(deps.log.lines.length).toBeGreaterThan(1);
    for (const secret of [VOX.salt, VOX.apiKey, genuine.hash, forged.hash, 'h'.repeat(32), 'ops@acme.example', 'Jane', 'Doe']) {
      expect(logged).not.toContain(String(secret));
    }
  });
});
