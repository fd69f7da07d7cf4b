/**
 * An in-memory IncidentStore (lambda/incidents/ports.ts) with the same versioned conditional put as the DynamoDB
 * adapter: each call yields to the event loop first, so concurrent callers interleave as they do over the network.
 * Counts writes, so a test can say "this changed nothing".
 */
import { incidentKeyString, type Incident, type IncidentKey } from '../../lambda/incidents/model';
import { IncidentStoreError, type IncidentStore } from '../../lambda/incidents/ports';

export class MemoryIncidentStore implements IncidentStore {
  readonly records = new Map<string, Incident>();
  puts = 0;
  /** Set: every call fails as the store fails. */
  failure?: string;

  constructor(initial: readonly Incident[] = []) {
    for (const incident of initial) this.records.set(incidentKeyString(incident.key), incident);
  }

  private async turn(signal: AbortSignal): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    if (this.failure !== undefined) throw new IncidentStoreError(this.failure);
    if (signal.aborted) throw new IncidentStoreError('aborted');
  }

  async get(key: IncidentKey, signal: AbortSignal): Promise<Incident | undefined> {
    await this.turn(signal);
    return this.records.get(incidentKeyString(key));
  }

  async put(next: Incident, expectedVersion: number, signal: AbortSignal): Promise<boolean> {
    await this.turn(signal);
    const id = incidentKeyString(next.key);
    if ((this.records.get(id)?.version ?? 0) !== expectedVersion) return false;
    this.puts += 1;
    this.records.set(id, { ...next, version: expectedVersion + 1 });
    return true;
  }

  async active(signal: AbortSignal): Promise<readonly Incident[]> {
    await this.turn(signal);
    return [...this.records.values()].filter((i) => i.status !== 'resolved' || i.pendingNotices.length > 0);
  }
}
