/**
 * The incidents' store (lambda/incidents/ports.ts) on their own DynamoDB table: one item per incident key,
 * `pk` = incidentKeyString, the record as JSON in `incident`, `status` and `pending` (notices to send) as
 * plain attributes the notifier's scan filters on, `version` for conditional writes, `expiresAt` for TTL.
 */
import { GetItemCommand, ScanCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { putIfVersion } from './versioned-put';
import { errorMessage } from '../errors';
import { INCIDENT_RETENTION, INCIDENT_TABLE } from '../contract';
import { INCIDENT_KINDS, incidentKeyString, type Incident, type IncidentKey } from '../incidents/model';
import { IncidentStoreError, type IncidentStore } from '../incidents/ports';

const ATTR = { incident: 'incident', version: 'version', status: 'status', pending: 'pending' } as const;
const DAY_MS = 86_400_000;
/** Pages the notifier's scan reads at most (1 MB each): far beyond one record per account and kind. */
const MAX_SCAN_PAGES = 20;

const isKind = (value: unknown): value is IncidentKey['kind'] => (INCIDENT_KINDS as readonly unknown[]).includes(value);

/** A stored item back as an Incident, defensively: an unreadable item is skipped (undefined), never thrown. */
export function parseIncident(item: Record<string, AttributeValue> | undefined): Incident | undefined {
  const text = item?.[ATTR.incident]?.S;
  if (text === undefined) return undefined;
  let raw: Partial<Incident>;
  try {
    raw = JSON.parse(text) as Partial<Incident>;
  } catch {
    return undefined;
  }
  const key = raw.key;
  const fine =
    key !== undefined &&
    Number.isSafeInteger(key.accountId) &&
    isKind(key.kind) &&
    typeof key.subject === 'string' &&
    typeof raw.incidentId === 'string' &&
    (raw.status === 'open' || raw.status === 'acknowledged' || raw.status === 'resolved') &&
    Number.isFinite(raw.openedAt) &&
    Number.isFinite(raw.lastSeenAt) &&
    Number.isFinite(raw.level) &&
    Array.isArray(raw.pendingNotices);
  if (!fine) return undefined;
  return { ...(raw as Incident), facts: raw.facts ?? {}, repeats: raw.repeats ?? 0, version: Number(item?.[ATTR.version]?.N ?? 0) || 0 };
}

/** When DynamoDB may delete the record (epoch seconds). */
export function expiresAt(incident: Incident): number {
  const from =
    incident.status === 'resolved'
      ? (incident.resolvedAt ?? incident.lastSeenAt)
      : Math.max(incident.lastSeenAt, incident.nextReminderAt ?? 0);
  const days = incident.status === 'resolved' ? INCIDENT_RETENTION.resolvedDays : INCIDENT_RETENTION.activeDays;
  return Math.ceil((from + days * DAY_MS) / 1000);
}

export class DynamoIncidentStore implements IncidentStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async get(key: IncidentKey, signal: AbortSignal): Promise<Incident | undefined> {
    const { Item } = await this.call(() =>
      this.client.send(
        new GetItemCommand({
          TableName: this.tableName,
          Key: { [INCIDENT_TABLE.partitionKey]: { S: incidentKeyString(key) } },
          ConsistentRead: true,
        }),
        { abortSignal: signal },
      ),
    );
    return parseIncident(Item);
  }

  async put(next: Incident, expectedVersion: number, signal: AbortSignal): Promise<boolean> {
    const { version: _, ...record } = next;
    const item = {
      [INCIDENT_TABLE.partitionKey]: { S: incidentKeyString(next.key) },
      [ATTR.incident]: { S: JSON.stringify(record) },
      [ATTR.status]: { S: next.status },
      [ATTR.pending]: { N: String(next.pendingNotices.length) },
      [INCIDENT_TABLE.ttlAttribute]: { N: String(expiresAt(next)) },
    };
    return this.call(() => putIfVersion(this.client, this.tableName, item, ATTR.version, expectedVersion, signal));
  }

  async active(signal: AbortSignal): Promise<readonly Incident[]> {
    const incidents: Incident[] = [];
    let start: Record<string, AttributeValue> | undefined;
    for (let page = 0; page < MAX_SCAN_PAGES; page += 1) {
      const answer = await this.call(() =>
        this.client.send(
          new ScanCommand({
            TableName: this.tableName,
            ConsistentRead: true,
            FilterExpression: '#status <> :resolved OR #pending > :none',
            ExpressionAttributeNames: { '#status': ATTR.status, '#pending': ATTR.pending },
            ExpressionAttributeValues: { ':resolved': { S: 'resolved' }, ':none': { N: '0' } },
            ...(start === undefined ? {} : { ExclusiveStartKey: start }),
          }),
          { abortSignal: signal },
        ),
      );
      for (const item of answer.Items ?? []) {
        const incident = parseIncident(item);
        if (incident !== undefined) incidents.push(incident);
      }
      start = answer.LastEvaluatedKey;
      if (start === undefined) break;
    }
    return incidents;
  }

  private async call<T>(send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw new IncidentStoreError(`incident table: ${errorMessage(error)}`, { cause: error });
    }
  }
}
