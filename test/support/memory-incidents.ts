/**
 * An IncidentStore (lambda/incidents/ports.ts) in memory, with the same versioned conditional put as the DynamoDB
 * adapter, a request log for "how many calls" assertions, and hooks to lose a race (another writer lands between
 * this caller's get and put) or to fail like an unavailable table.
 */
import type { Incident, IncidentKey } from '../../lambda/incidents/model';
import { incidentKeyString } from '../../lambda/incidents/model';
import { IncidentStoreError, type IncidentStore } from '../../lambda/incidents/ports';

export class MemoryIncidentStore implements IncidentStore {
  readonly records = new Map<string, Incident>();
  /** Every call, in order: 'get', 'put' or 'active'. */
  readonly calls: Array<'get' | 'put' | 'active'> = [];
  /** Called before a put compares versions: a test changes the record here to make this put lose its race. */
  beforePut?: (next: Incident) => void;
  /** When set, every call throws IncidentStoreError with this message. */
  failWith?: string;

  async get(key: IncidentKey, signal: AbortSignal): Promise<Incident | undefined> {
    this.enter('get', signal);
    return this.records.get(incidentKeyString(key));
  }

  async put(next: Incident, expectedVersion: number, signal: AbortSignal): Promise<boolean> {
    this.enter('put', signal);
    this.beforePut?.(next);
    const id = incidentKeyString(next.key);
    if ((this.records.get(id)?.version ?? 0) !== expectedVersion) return false;
    this.records.set(id, { ...next, version: expectedVersion + 1 });
    return true;
  }

  async active(signal: AbortSignal): Promise<readonly Incident[]> {
    this.enter('active', signal);
    return [...this.records.values()].filter((i) => i.status !== 'resolved' || i.pendingNotices.length > 0);
  }

  /** The stored record of `key`. */
  of(key: IncidentKey): Incident | undefined {
    return this.records.get(incidentKeyString(key));
  }

  private enter(call: 'get' | 'put' | 'active', signal: AbortSignal): void {
    this.calls.push(call);
    if (signal.aborted) throw new IncidentStoreError(`aborted: ${String(signal.reason)}`);
    if (this.failWith !== undefined) throw new IncidentStoreError(this.failWith);
  }
}
