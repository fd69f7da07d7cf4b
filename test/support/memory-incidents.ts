/**
 * An IncidentStore in memory with the DynamoDB adapter's semantics (lambda/aws/dynamo-incidents.ts): versioned
 * conditional puts, `active()` = not resolved or with a pending notice. Records are copied in and out, so a
 * caller never shares state with the store. `failing` makes every call throw IncidentStoreError.
 */
import { incidentKeyString, type Incident, type IncidentKey } from '../../lambda/incidents/model';
import { IncidentStoreError, type IncidentStore } from '../../lambda/incidents/ports';

export class MemoryIncidentStore implements IncidentStore {
  readonly records = new Map<string, Incident>();
  failing = false;
  /** Conditional puts refused because another writer came first. */
  conflicts = 0;

  async get(key: IncidentKey): Promise<Incident | undefined> {
    this.check();
    const found = this.records.get(incidentKeyString(key));
    return found === undefined ? undefined : structuredClone(found);
  }

  async put(next: Incident, expectedVersion: number): Promise<boolean> {
    this.check();
    const id = incidentKeyString(next.key);
    if ((this.records.get(id)?.version ?? 0) !== expectedVersion) {
      this.conflicts += 1;
      return false;
    }
    this.records.set(id, structuredClone({ ...next, version: expectedVersion + 1 }));
    return true;
  }

  async active(): Promise<readonly Incident[]> {
    this.check();
    return [...this.records.values()].filter((i) => i.status !== 'resolved' || i.pendingNotices.length > 0).map((i) => structuredClone(i));
  }

  private check(): void {
    if (this.failing) throw new IncidentStoreError('incident table: unavailable (test)');
  }
}
