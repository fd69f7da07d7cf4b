/** lambda/incidents/update.ts over an in-memory store that can lose races or fail. */
import { open, resolve } from '../../../../lambda/incidents/lifecycle';
import { DEFAULT_REMINDER_SCHEDULE, type IncidentKey } from '../../../../lambda/incidents/model';
import { IncidentStoreError } from '../../../../lambda/incidents/ports';
import { MAX_ATTEMPTS, update } from '../../../../lambda/incidents/update';
import { MemoryIncidentStore } from '../../../support/memory-incidents';

const key: IncidentKey = { accountId: 42, kind: 'low_balance', subject: '' };
const T0 = 1_700_000_000_000;
const signal = new AbortController().signal;
const opening =
  (callbackId: number, id = 'a') =>
  (current: Parameters<typeof open>[0]) => {
    const { decision, next } = open(
      current,
      key,
      { at: T0, by: 'min_balance', callbackId, facts: {}, newIncidentId: id.repeat(32) },
      DEFAULT_REMINDER_SCHEDULE,
    );
    return { result: decision, next };
  };

describe('update', () => {
  it('writes the first version of a new record', async () => {
    const store = new MemoryIncidentStore();
    const done = await update(store, key, opening(1), signal);
    expect(done).toMatchObject({ result: 'opened', written: true, incident: { version: 1, status: 'open' } });
    expect(store.of(key)!.version).toBe(1);
    expect(store.calls).toEqual(['get', 'put']);
  });

  it('reads only, and writes nothing, when the change has nothing to write', async () => {
    const store = new MemoryIncidentStore();
    const done = await update(store, key, (current) => ({ result: resolve(current, { at: T0, by: 'card_payment' }) }), signal);
    expect(done).toEqual({ result: undefined, incident: undefined, written: false });
    expect(store.calls).toEqual(['get']);
  });

  it('reads again after losing a race and applies the change to what the winner wrote', async () => {
    const store = new MemoryIncidentStore();
    let raced = false;
    store.beforePut = () => {
      if (raced) return;
      raced = true;
      // Another receiver opened the same incident between this one's get and put.
      const winner = open(
        undefined,
        key,
        { at: T0, by: 'min_balance', callbackId: 2, facts: {}, newIncidentId: 'b'.repeat(32) },
        DEFAULT_REMINDER_SCHEDULE,
      );
      store.records.set('42#low_balance', { ...winner.next!, version: 1 });
    };
    const done = await update(store, key, opening(1), signal);
    expect(done.result).toBe('folded');
    expect(done.incident).toMatchObject({ incidentId: 'b'.repeat(32), repeats: 1, version: 2 });
    expect(store.calls).toEqual(['get', 'put', 'get', 'put']);
  });

  it(`gives up after ${MAX_ATTEMPTS} lost races in a row`, async () => {
    const store = new MemoryIncidentStore();
    // Someone else writes the key every time this caller is about to.
    store.beforePut = (next) =>
      store.records.set('42#low_balance', { ...next, openingCallbackId: 999, version: (store.of(key)?.version ?? 0) + 1 });
    await expect(update(store, key, opening(1), signal)).rejects.toThrow(/lost their race/);
    expect(store.calls.filter((c) => c === 'put')).toHaveLength(MAX_ATTEMPTS);
  });

  it("passes the store's IncidentStoreError through", async () => {
    const store = new MemoryIncidentStore();
    store.failWith = 'throttled';
    await expect(update(store, key, opening(1), signal)).rejects.toBeInstanceOf(IncidentStoreError);
  });

  it('of two overlapping openings of the same key, exactly one opens and the other folds', async () => {
    const store = new MemoryIncidentStore();
    const results = await Promise.all([update(store, key, opening(1, 'a'), signal), update(store, key, opening(2, 'b'), signal)]);
    expect(results.map((r) => r.result).sort()).toEqual(['folded', 'opened']);
    expect(store.of(key)).toMatchObject({ repeats: 1, version: 2 });
  });
});
