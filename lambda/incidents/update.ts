/**
 * Read, change, write conditionally, and read again when another writer came first: the one way every caller
 * (webhook, watchdog, notifier, acknowledge route) changes an incident. Pure orchestration over the port.
 */
import type { Incident, IncidentKey } from './model';
import type { IncidentStore } from './ports';

/** Attempts before giving up: each lost race means another writer changed the record meanwhile. */
export const MAX_ATTEMPTS = 4;

export interface Updated<R> {
  /** What `change` returned for the version that was written (or that needed no write). */
  readonly result: R;
  /** The record as written (its new version), or as read when `change` wrote nothing. */
  readonly incident?: Incident;
  /** True when this call's write landed. */
  readonly written: boolean;
}

/**
 * Applies `change` to the current record of `key` until its conditional write lands or nothing needs writing.
 * `change` must be pure: it may run more than once. Throws IncidentStoreError (the store's), or an Error when
 * MAX_ATTEMPTS writes in a row lost their race.
 */
export async function update<R>(
  store: IncidentStore,
  key: IncidentKey,
  change: (current: Incident | undefined) => { readonly result: R; readonly next?: Incident },
  signal: AbortSignal,
): Promise<Updated<R>> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    const current = await store.get(key, signal);
    const { result, next } = change(current);
    if (next === undefined) return { result, incident: current, written: false };
    const expected = current?.version ?? 0;
    if (await store.put(next, expected, signal)) return { result, incident: { ...next, version: expected + 1 }, written: true };
  }
  throw new Error(`incident ${key.accountId}/${key.kind}: ${MAX_ATTEMPTS} conditional writes in a row lost their race`);
}
