/**
 * The load test's plan: which callback ids are sent, which are forged (wrong hash), which are re-sent
 * (duplicates of ids already answered). Pure: no I/O.
 */
import { randomInt } from 'node:crypto';
import { UsageError } from '../../local/errors';

export type Kind = 'new' | 'duplicate' | 'forged';

export interface Item {
  readonly id: number;
  readonly kind: Kind;
}

export interface Plan {
  /** New genuine and forged items, forged spread evenly, in sending order. */
  readonly fresh: readonly Item[];
  /** For each genuine id, how many times it is re-sent after its first request was answered. */
  readonly resends: ReadonlyMap<number, number>;
  readonly genuineIds: ReadonlySet<number>;
  readonly forgedIds: ReadonlySet<number>;
  readonly duplicates: number;
}

/**
 * The plan for `callbacks` items: `duplicateShare` of them re-send a genuine id already answered, `forgedShare`
 * carry a wrong hash, the rest are new genuine ids (random per run, far above real and send-callback ids).
 * Throws UsageError when the shares leave no genuine id to re-send, or add up to more than `callbacks`.
 */
export function makePlan(callbacks: number, duplicateShare: number, forgedShare: number): Plan {
  const duplicates = Math.round(callbacks * duplicateShare);
  const forged = Math.round(callbacks * forgedShare);
  const unique = callbacks - duplicates - forged;
  if (unique < 1 && duplicates + forged > 0 && duplicates > 0)
    throw new UsageError('--duplicates and --forged leave no genuine callback to re-send');
  if (unique < 0) throw new UsageError('--duplicates and --forged add up to more than --callbacks');
  // Far above Voximplant's own sequence numbers and send-callback's time-based ids (~1.8e15); random per run.
  const base = 5_000_000_000_000_000 + randomInt(0, 2 ** 47);
  const fresh: Item[] = [];
  const genuineIds = new Set<number>();
  const forgedIds = new Set<number>();
  const total = unique + forged;
  for (let i = 0; i < total; i += 1) {
    const isForged = Math.floor(((i + 1) * forged) / total) > Math.floor((i * forged) / total);
    const id = base + i;
    fresh.push({ id, kind: isForged ? 'forged' : 'new' });
    (isForged ? forgedIds : genuineIds).add(id);
  }
  const genuine = [...genuineIds];
  const resends = new Map<number, number>();
  for (let k = 0; k < duplicates; k += 1) {
    const id = genuine[Math.floor((k * genuine.length) / duplicates) % genuine.length];
    resends.set(id, (resends.get(id) ?? 0) + 1);
  }
  return { fresh, resends, genuineIds, forgedIds, duplicates };
}
