/**
 * The webhook and the retry consumer with an edge that never answers (ports stalled until their signal
 * aborts, the shape of a body that never ends), on a manual clock: each invocation decides before its
 * deadline, parking gets its reserved slice, and the retry consumer backs off every record it could not finish.
 */
import type { SQSEvent } from 'aws-lambda';
import { BUDGET, Deadline } from '../../../lambda/deadline';
import { backoffSeconds, handleRetries } from '../../../lambda/queue';
import { handleWebhook } from '../../../lambda/http';
import { buildCallback, envelope } from '../../../local/callbacks';
import { fakeDeps } from '../../support/fakes';
import { parkedRecord } from '../../support/fixtures';
import { httpEvent, VOX } from '../../../local/fixtures';
import { ManualClock } from '../../support/manual-clock';

/** Lambda's 10 s, as the handler derives it from the context. */
function invocation(clock: ManualClock) {
  return Deadline.forInvocation({ getRemainingTimeInMillis: () => 10_000 }, clock);
}

function webhook(deps: ReturnType<typeof fakeDeps>, clock: ManualClock, deadline = invocation(clock)) {
  const body = envelope(buildCallback(VOX, { callbackId: 1 }));
  return { deadline, run: clock.settle(handleWebhook(httpEvent(body), deps, () => 1_700_000_000_000, deadline)) };
}

const bodyOf = (result: { body?: string }) => JSON.parse(result.body ?? '{}') as Record<string, unknown>;

describe('webhook with a stalled edge', () => {
  it.each([
    { edge: 'secrets (SSM)', stall: (d: ReturnType<typeof fakeDeps>) => (d.secrets.stalled = true), status: 202, sent: 0 },
    { edge: 'dedupe (DynamoDB)', stall: (d: ReturnType<typeof fakeDeps>) => (d.dedupe.stalled = true), status: 200, sent: 1 },
    { edge: 'publisher (SNS)', stall: (d: ReturnType<typeof fakeDeps>) => (d.publisher.stalled = true), status: 202, sent: 0 },
  ])('$edge stalled: answers $status before the deadline', async ({ stall, status, sent }) => {
    const clock = new ManualClock();
    const deps = fakeDeps();
    stall(deps);
    const { deadline, run } = webhook(deps, clock);
    const { value } = await run;
    expect(value.statusCode).toBe(status);
    expect(deadline.signal.aborted).toBe(false); // decided before the invocation's deadline
    expect(deps.publisher.sent).toHaveLength(sent);
    expect(deps.retryQueue.parked).toHaveLength(status === 202 ? 1 : 0);
  });

  it('dedupe stalled: the claim gets its slice, the alert still goes out in time', async () => {
    const clock = new ManualClock();
    const deps = fakeDeps();
    deps.dedupe.stalled = true;
    const start = clock.now();
    const { value, at } = await webhook(deps, clock).run;
    expect(at - start).toBeGreaterThanOrEqual(BUDGET.fallbackCallMs); // the claim waited out its slice...
    expect(at - start).toBeLessThan(BUDGET.fallbackCallMs + 500); // ...and no more: the publish did not wait on it
    expect(bodyOf(value)).toMatchObject({ accepted: 1 });
  });

  it('publisher stalled: the publish ends early enough to record its unknown outcome on the claim and park within the reserve', async () => {
    const clock = new ManualClock();
    const deps = fakeDeps();
    deps.publisher.stalled = true;
    const { deadline, run } = webhook(deps, clock);
    const { value } = await run;
    expect(value.statusCode).toBe(202);
    expect(deps.dedupe.records.get(`${VOX.accountId}#1`)).toBe('ambiguous'); // recorded: the retry gets its one extra publish
    expect(deadline.remainingMs()).toBeGreaterThan(BUDGET.lastCallMs - 100);
  });

  it('publisher and retry queue stalled: 503 before the deadline, the unknown outcome recorded for the re-send', async () => {
    const clock = new ManualClock();
    const deps = fakeDeps();
    deps.publisher.stalled = true;
    deps.retryQueue.stalled = true;
    const { deadline, run } = webhook(deps, clock);
    const { value } = await run;
    expect(value.statusCode).toBe(503);
    expect(deadline.signal.aborted).toBe(true); // parking waited out its slice, which ends at the deadline...
    expect(clock.now() - deadline.at).toBeLessThan(BUDGET.responseMs); // ...within the response margin before Lambda's timeout
    expect(deps.dedupe.records.get(`${VOX.accountId}#1`)).toBe('ambiguous');
  });
});

const batchOf = (n: number): SQSEvent => ({
  Records: Array.from({ length: n }, (_, i) =>
    parkedRecord(envelope(buildCallback(VOX, { callbackId: i + 1 })), { id: String(i + 1), receiveCount: 1 + (i % 3) }),
  ),
});

describe('retry consumer with a stalled edge', () => {
  it.each([
    { edges: 'SNS', stall: (d: ReturnType<typeof fakeDeps>) => (d.publisher.stalled = true) },
    {
      edges: 'DynamoDB and SNS',
      stall: (d: ReturnType<typeof fakeDeps>) => {
        d.dedupe.stalled = true;
        d.publisher.stalled = true;
      },
    },
  ])('a batch of 10 with $edges stalled: every record fails with its backoff, in one call, before the deadline', async ({ stall }) => {
    const clock = new ManualClock();
    const deps = fakeDeps();
    stall(deps);
    const deadline = invocation(clock);
    const event = batchOf(10);
    const { value } = await clock.settle(handleRetries(event, deps, () => 1_700_000_000_000, deadline));
    expect(deadline.signal.aborted).toBe(false);
    expect(value.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(event.Records.map((r) => r.messageId));
    expect(deps.retryQueue.backoffCalls).toBe(1);
    expect(deps.retryQueue.backoffs).toEqual(
      event.Records.map((r) => ({ receiptHandle: r.receiptHandle, seconds: backoffSeconds(Number(r.attributes.ApproximateReceiveCount)) })),
    );
    expect(deps.publisher.sent).toHaveLength(0);
  });

  it('records run concurrently: ten stalled publishes cost the wait of one, and all ten are tried', async () => {
    const timeFor = async (records: number) => {
      const clock = new ManualClock();
      const deps = fakeDeps();
      deps.publisher.stalled = true;
      const { value, at } = await clock.settle(handleRetries(batchOf(records), deps, () => 0, invocation(clock)));
      expect(value.batchItemFailures).toHaveLength(records);
      expect([...deps.dedupe.records.values()].filter((r) => r === 'ambiguous')).toHaveLength(records); // each claimed, tried, recorded
      return at;
    };
    expect(await timeFor(10)).toBe(await timeFor(1));
  });

  it('starts no record with less than one record’s worst case left: all come back with backoff', async () => {
    const clock = new ManualClock();
    const deps = fakeDeps();
    const deadline = Deadline.forInvocation(
      { getRemainingTimeInMillis: () => BUDGET.responseMs + BUDGET.lastCallMs + BUDGET.recordMs - 1 },
      clock,
    );
    const { value } = await clock.settle(handleRetries(batchOf(3), deps, () => 0, deadline));
    expect(value.batchItemFailures).toHaveLength(3);
    expect(deps.secrets.calls).toBe(0); // nothing started
    expect(deps.retryQueue.backoffs.map((b) => b.receiptHandle)).toEqual(['rh-1', 'rh-2', 'rh-3']);
    expect(deps.log.text()).toContain('Too little time left to retry parked requests');
  });

  it('a stalled backoff still ends before the deadline', async () => {
    const clock = new ManualClock();
    const deps = fakeDeps();
    deps.publisher.stalled = true;
    deps.retryQueue.stalled = true;
    const deadline = invocation(clock);
    const { value } = await clock.settle(handleRetries(batchOf(2), deps, () => 0, deadline));
    expect(value.batchItemFailures).toHaveLength(2);
    expect(clock.now() - deadline.at).toBeLessThan(BUDGET.responseMs);
  });
});
