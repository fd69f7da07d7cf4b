/**
 * The parked-retry path with in-memory edges: parked requests are handled like webhook requests,
 * failures come back as batch item failures with exponential backoff.
 */
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { Deadline } from '../../../lambda/deadline';
import { METRICS } from '../../../lambda/contract';
import { SecretsUnavailableError } from '../../../lambda/errors';
import { receive } from '../../../lambda/pipeline';
import { backoffSeconds, handleRetries } from '../../../lambda/queue';
import { buildCallback, envelope } from '../../../local/callbacks';
import { fakeDeps } from '../../support/fakes';
import { parkedRecord as record } from '../../support/fixtures';
import { VOX } from '../../../local/fixtures';

const sqsEvent = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

describe('handleRetries', () => {
  it('alerts for a parked request and reports no failure', async () => {
    const deps = fakeDeps();
    const result = await handleRetries(sqsEvent(record(envelope(buildCallback(VOX, { callbackId: 1 })))), deps);
    expect(result).toEqual({ batchItemFailures: [] });
    expect(deps.publisher.sent.map((a) => a.callbackId)).toEqual([1]);
  });

  it('alerts once when both the sender and the queue retry the same callback', async () => {
    const deps = fakeDeps();
    const body = envelope(buildCallback(VOX, { callbackId: 1 }));
    await handleRetries(sqsEvent(record(body)), deps);
    await handleRetries(sqsEvent(record(body, { id: 'm2' })), deps);
    expect(deps.publisher.sent).toHaveLength(1);
  });

  it('reports only the failing message, and delays it with backoff by attempt', async () => {
    const deps = fakeDeps();
    deps.publisher.failing = new Set([2]);
    const result = await handleRetries(
      sqsEvent(
        record(envelope(buildCallback(VOX, { callbackId: 1 })), { id: 'ok' }),
        record(envelope(buildCallback(VOX, { callbackId: 2 })), { id: 'bad', receiveCount: 3 }),
      ),
      deps,
    );
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad' }] });
    expect(deps.retryQueue.backoffs).toEqual([{ receiptHandle: 'rh-bad', seconds: 120 }]);
    expect(deps.counts[METRICS.names.retriesFailed]).toBe(1);
    expect(deps.retryQueue.parked).toHaveLength(0); // never re-parked: the queue itself retries
  });

  it('slow SNS (every publish goes out, none confirmed): the queue makes the one extra publish, then the callback is done', async () => {
    const deps = fakeDeps();
    deps.publisher.slow = 'all';
    const body = envelope(buildCallback(VOX, { callbackId: 1 }));
    // The webhook's publish had an unknown outcome: the claim says so, and the request was parked.
    deps.dedupe.records.set(`${VOX.accountId}#1`, 'ambiguous');

    const first = await handleRetries(sqsEvent(record(body, { id: 'a' })), deps);
    expect(first).toEqual({ batchItemFailures: [] });
    expect(deps.publisher.sent.map((a) => a.callbackId)).toEqual([1]);
    expect(deps.log.lines.map((l) => l.message)).toContain('Final publish outcome unknown too: settled as alerted (at most two alerts)');
    expect(deps.counts[METRICS.names.publishAmbiguous]).toBe(1);

    // Every later attempt, the queue's or the sender's, is a duplicate.
    expect(await handleRetries(sqsEvent(record(body, { id: 'b', receiveCount: 2 })), deps)).toEqual({ batchItemFailures: [] });
    expect(deps.publisher.sent).toHaveLength(1);
    expect(deps.counts[METRICS.names.duplicates]).toBe(1);
  });

  it('fails every message while secrets are unavailable', async () => {
    const deps = fakeDeps();
    deps.secrets.failure = new SecretsUnavailableError('SSM down');
    const body = envelope(buildCallback(VOX, { callbackId: 1 }));
    const result = await handleRetries(sqsEvent(record(body, { id: 'a' }), record(body, { id: 'b' })), deps);
    expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['a', 'b']);
  });

  it('drops a parked request that no longer verifies, without failing the batch', async () => {
    const deps = fakeDeps();
    const forged = envelope(buildCallback(VOX, { callbackId: 1, signWith: { salt: 'x', apiKey: 'y' } }));
    expect(await handleRetries(sqsEvent(record(forged)), deps)).toEqual({ batchItemFailures: [] });
    expect(deps.log.text()).toContain('Parked request dropped');
  });
});

describe('a parked request survives a key rotation', () => {
  it('alerts exactly once for an item verified and parked before the salt and key were rotated', async () => {
    const deps = fakeDeps();
    deps.publisher.failing = new Set([1]);
    const webhookOutcome = await receive(envelope(buildCallback(VOX, { callbackId: 1 })), deps, Deadline.forInvocation(undefined));
    expect(webhookOutcome).toMatchObject({ kind: 'retry', parked: { verified: true } });
    const parked = (webhookOutcome as Extract<typeof webhookOutcome, { kind: 'retry' }>).parked;
    expect(JSON.parse(parked.body).callbacks[0]).not.toHaveProperty('hash');

    // Rotated without keeping the -previous values: the old hash no longer verifies.
    deps.secrets.secrets = { accountId: VOX.accountId, credentials: [{ salt: 'rotated-salt', apiKey: 'rotated-key' }] };
    deps.publisher.failing = new Set();
    const result = await handleRetries(sqsEvent(record(parked.body, { verified: true })), deps);
    expect(result).toEqual({ batchItemFailures: [] });
    expect(deps.publisher.sent.map((a) => a.callbackId)).toEqual([1]);
    expect(deps.secrets.calls).toBe(1); // the retry did not need the secrets
  });

  it('still verifies a request parked unverified (secrets were unavailable), so a forgery parked then is dropped', async () => {
    const deps = fakeDeps();
    deps.secrets.failure = new SecretsUnavailableError('SSM down');
    const forged = envelope(buildCallback(VOX, { callbackId: 7, signWith: { salt: 'x', apiKey: 'y' } }));
    const outcome = await receive(forged, deps, Deadline.forInvocation(undefined));
    expect(outcome).toMatchObject({ kind: 'retry', parked: { verified: false } });
    const parked = (outcome as Extract<typeof outcome, { kind: 'retry' }>).parked;
    expect(JSON.parse(parked.body).callbacks[0]).toHaveProperty('hash');
    deps.secrets.failure = undefined;
    expect(await handleRetries(sqsEvent(record(parked.body, { verified: false })), deps)).toEqual({ batchItemFailures: [] });
    expect(deps.publisher.sent).toHaveLength(0);
  });
});

describe('backoffSeconds', () => {
  it('doubles from 30 s and caps at 15 minutes', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map(backoffSeconds)).toEqual([30, 60, 120, 240, 480, 900, 900, 900]);
  });
});
