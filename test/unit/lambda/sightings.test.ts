/**
 * The receiver's one write for the watchdog (Deps.sightings, lambda/pipeline.ts): made for verified callbacks
 * only, says whether one was a min_balance, and a stalled or failing note neither blocks nor changes the
 * decision (it runs alongside the claims, under the claims' signal).
 */
import { BUDGET, Deadline } from '../../../lambda/deadline';
import { receive } from '../../../lambda/pipeline';
import type { CallbackSightingLog } from '../../../lambda/watchdog/ports';
import { buildCallback, envelope } from '../../../local/callbacks';
import { fakeDeps, untilAbort } from '../../support/fakes';
import { VOX } from '../../../local/fixtures';
import { ManualClock } from '../../support/manual-clock';

class RecordingSightings implements CallbackSightingLog {
  readonly notes: Array<[number, boolean]> = [];
  stalled = false;
  async note(accountId: number, minBalance: boolean, signal: AbortSignal): Promise<void> {
    this.notes.push([accountId, minBalance]);
    // Never throws (the port's contract): a stall ends quietly when the signal aborts.
    if (this.stalled) await untilAbort(signal).catch(() => undefined);
  }
}

function setup() {
  const sightings = new RecordingSightings();
  return { sightings, deps: { ...fakeDeps(), sightings } };
}

it('notes a verified request once, saying it held a min_balance', async () => {
  const { sightings, deps } = setup();
  const body = envelope(buildCallback(VOX, { callbackId: 1 }), buildCallback(VOX, { callbackId: 2, type: 'card_expired' }));
  expect(await receive(body, deps, Deadline.in(10_000))).toMatchObject({ kind: 'done', statusCode: 200 });
  expect(sightings.notes).toEqual([[Number(VOX.accountId), true]]);
});

it('notes other verified types as a sighting without min_balance', async () => {
  const { sightings, deps } = setup();
  await receive(envelope(buildCallback(VOX, { callbackId: 3, type: 'card_expired' })), deps, Deadline.in(10_000));
  expect(sightings.notes).toEqual([[Number(VOX.accountId), false]]);
});

it('notes nothing for a forgery', async () => {
  const { sightings, deps } = setup();
  const forged = { ...buildCallback(VOX, { callbackId: 4 }), hash: '0'.repeat(32) };
  expect(await receive(envelope(forged), deps, Deadline.in(10_000))).toMatchObject({ statusCode: 401 });
  expect(sightings.notes).toEqual([]);
});

it('a stalled note is cut off with the claims: the alert still goes out, by the same deadline', async () => {
  const clock = new ManualClock();
  const { sightings, deps } = setup();
  sightings.stalled = true;
  const start = clock.now();
  const { value, at } = await clock.settle(receive(envelope(buildCallback(VOX, { callbackId: 5 })), deps, Deadline.in(10_000, clock)));
  expect(value).toMatchObject({ kind: 'done', statusCode: 200 });
  expect(deps.publisher.sent).toHaveLength(1);
  // Manual time, not wall time: the note holds the decision no longer than the claims' own slice may.
  expect(at - start).toBeLessThanOrEqual(BUDGET.fallbackCallMs + 50);
});
