/**
 * The one in-memory IncidentStore (lambda/incidents/ports.ts) of the tests, with the DynamoDB adapter's semantics
 * (lambda/aws/dynamo-incidents.ts): versioned conditional puts; `active()` = not resolved, or with a pending notice.
 * Records are copied in and out, so a caller never shares state with the store. Each call yields to the event loop
 * first, so concurrent callers interleave as they do over the network. Hooks: a request log and counts for "how many
 * calls" and "this changed nothing"; `beforePut` to lose a race; `failWith` / `failing` to fail like an unavailable table.
 */
import { incidentKeyString, type Incident, type IncidentKey } from '../../lambda/incidents/model';
import { IncidentStoreError, type IncidentStore } from '../../lambda/incidents/ports';

export class MemoryIncidentStore implements IncidentStore {
  readonly records = new Map<string, Incident>();
  /** Every call, in order. */
  readonly calls: Array<'get' | 'put' | 'active'> = [];
  /** Conditional puts that landed, and those refused because another writer came first. */
  puts = 0;
  conflicts = 0;
  /** Called before a put compares versions: a test changes the record here to make this put lose its race. */
  beforePut?: (next: Incident) => void;
  /** When set, every call throws IncidentStoreError with this message. */
  failWith?: string;

  constructor(initial: readonly Incident[] = []) {
    for (const incident of initial) this.records.set(incidentKeyString(incident.key), structuredClone(incident));
  }

  /** Every call fails (true) or not, as `failWith` with a fixed message. */
  set failing(value: boolean) {
    this.failWith = value ? 'incident table: unavailable (test)' : undefined;
  }
  get failing(): boolean {
    return this.failWith !== undefined;
  }

  /** The same as `failWith` (the acknowledge route's tests name it so). */
  set failure(value: string | undefined) {
    this.failWith = value;
  }

  async get(key: IncidentKey, signal?: AbortSignal): Promise<Incident | undefined> {
    await this.enter('get', signal);
    const found = this.records.get(incidentKeyString(key));
    return found === undefined ? undefined : structuredClone(found);
  }

  async put(next: Incident, expectedVersion: number, signal?: AbortSignal): Promise<boolean> {
    await this.enter('put', signal);
    this.beforePut?.(next);
    const id = incidentKeyString(next.key);
    if ((this.records.get(id)?.version ?? 0) !== expectedVersion) {
      this.conflicts += 1;
      return false;
    }
    this.puts += 1;
    this.records.set(id, structuredClone({ ...next, version: expectedVersion + 1 }));
    return true;
  }

  async active(signal?: AbortSignal): Promise<readonly Incident[]> {
    await this.enter('active', signal);
    return [...this.records.values()].filter((i) => i.status !== 'resolved' || i.pendingNotices.length > 0).map((i) => structuredClone(i));
  }

  /** The stored record of `key`. */
  of(key: IncidentKey): Incident | undefined {
    return this.records.get(incidentKeyString(key));
  }

  private async enter(call: 'get' | 'put' | 'active', signal?: AbortSignal): Promise<void> {
    this.calls.push(call);
    await new Promise((resolve) => setImmediate(resolve));
    if (signal?.aborted) throw new IncidentStoreError(`aborted: ${String(signal.reason)}`);
    if (this.failWith !== undefined) throw new IncidentStoreError(this.failWith);
  }
}
