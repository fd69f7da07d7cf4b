/**
 * lambda/aws/dynamo-incidents.ts against a stubbed DynamoDB client (aws-sdk-client-mock): the exact requests
 * (consistent reads, versioned conditional puts, TTL by status, the notifier's scan filter) and how answers map.
 */
import { ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { expiresAt, parseIncident, DynamoIncidentStore } from '../../../../lambda/aws/dynamo-incidents';
import { INCIDENT_RETENTION } from '../../../../lambda/contract';
import { open, resolve } from '../../../../lambda/incidents/lifecycle';
import { DEFAULT_REMINDER_SCHEDULE, type Incident, type IncidentKey } from '../../../../lambda/incidents/model';
import { IncidentStoreError } from '../../../../lambda/incidents/ports';

const dynamodb = mockClient(DynamoDBClient);
beforeEach(() => dynamodb.reset());

const T0 = 1_700_000_000_000;
const DAY = 86_400_000;
const key: IncidentKey = { accountId: 42, kind: 'sip_registration', subject: '7' };
const incident: Incident = {
  ...open(
    undefined,
    key,
    { at: T0, by: 'sip_registration_fail', callbackId: 3, facts: { statusCode: 403 }, newIncidentId: 'a'.repeat(32) },
    DEFAULT_REMINDER_SCHEDULE,
  ).next!,
  version: 0,
};
const store = () => new DynamoIncidentStore(new DynamoDBClient({}), 'incidents');
const signal = new AbortController().signal;
/** The item as put(), for get() answers. */
async function stored(record: Incident, version: number) {
  dynamodb.on(PutItemCommand).resolves({});
  await store().put(record, version - 1, signal);
  const item = dynamodb.commandCalls(PutItemCommand).at(-1)!.args[0].input.Item!;
  dynamodb.reset();
  return item;
}

describe('DynamoIncidentStore', () => {
  it('gets by the key string with a consistent read, and parses the record with its version', async () => {
    const Item = await stored(incident, 3);
    dynamodb.on(GetItemCommand).resolves({ Item });
    expect(await store().get(key, signal)).toEqual({ ...incident, version: 3 });
    expect(dynamodb.commandCalls(GetItemCommand)[0].args[0].input).toEqual({
      TableName: 'incidents',
      Key: { pk: { S: '42#sip_registration#7' } },
      ConsistentRead: true,
    });
  });

  it('answers undefined for no item', async () => {
    dynamodb.on(GetItemCommand).resolves({});
    expect(await store().get(key, signal)).toBeUndefined();
  });

  it('puts the first version only where nothing is stored, the next only on the version read', async () => {
    dynamodb.on(PutItemCommand).resolves({});
    await store().put(incident, 0, signal);
    await store().put(incident, 4, signal);
    const [first, next] = dynamodb.commandCalls(PutItemCommand).map((c) => c.args[0].input);
    expect(first.ConditionExpression).toBe('attribute_not_exists(#version)');
    expect(first.ExpressionAttributeValues).toBeUndefined();
    expect(first.Item).toMatchObject({
      pk: { S: '42#sip_registration#7' },
      version: { N: '1' },
      status: { S: 'open' },
      pending: { N: '0' },
      expiresAt: { N: String(Math.ceil((incident.nextReminderAt! + INCIDENT_RETENTION.activeDays * DAY) / 1000)) },
    });
    expect(JSON.parse(first.Item!.incident.S!)).not.toHaveProperty('version');
    expect(next.ConditionExpression).toBe('#version = :expected');
    expect(next.ExpressionAttributeValues).toEqual({ ':expected': { N: '4' } });
    expect(next.Item!.version).toEqual({ N: '5' });
  });

  it('answers false when another writer came first', async () => {
    dynamodb.on(PutItemCommand).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
    expect(await store().put(incident, 1, signal)).toBe(false);
  });

  it.each([
    ['get', (s: DynamoIncidentStore) => s.get(key, signal)],
    ['put', (s: DynamoIncidentStore) => s.put(incident, 1, signal)],
    ['active', (s: DynamoIncidentStore) => s.active(signal)],
  ])('turns any other failure of %s into IncidentStoreError', async (_, call) => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException' });
    dynamodb.on(GetItemCommand).rejects(throttled).on(PutItemCommand).rejects(throttled).on(ScanCommand).rejects(throttled);
    await expect(call(store())).rejects.toBeInstanceOf(IncidentStoreError);
  });

  it('keeps a resolved record INCIDENT_RETENTION.resolvedDays after it resolved', () => {
    const resolved = resolve(incident, { at: T0 + DAY, by: 'sip_registration_recovered' })!;
    expect(expiresAt(resolved)).toBe(Math.ceil((T0 + DAY + INCIDENT_RETENTION.resolvedDays * DAY) / 1000));
  });

  it('scans for open records or pending notices, page after page, skipping unreadable items', async () => {
    const Item = await stored(incident, 1);
    dynamodb
      .on(ScanCommand)
      .resolvesOnce({ Items: [Item, { pk: { S: 'x' }, incident: { S: '{not json' } }], LastEvaluatedKey: { pk: { S: 'next' } } })
      .resolvesOnce({ Items: [{ pk: { S: 'y' }, incident: { S: JSON.stringify({ key: { accountId: 1, kind: 'nope', subject: '' } }) } }] });
    expect(await store().active(signal)).toEqual([{ ...incident, version: 1 }]);
    const calls = dynamodb.commandCalls(ScanCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatchObject({ ConsistentRead: true, FilterExpression: '#status <> :resolved OR #pending > :none' });
    expect(calls[1].ExclusiveStartKey).toEqual({ pk: { S: 'next' } });
  });

  it('parses defensively: a hostile record is skipped, never thrown', () => {
    expect(parseIncident(undefined)).toBeUndefined();
    expect(parseIncident({ incident: { S: '[]' } })).toBeUndefined();
    expect(parseIncident({ incident: { S: JSON.stringify({ ...incident, status: 'weird' }) } })).toBeUndefined();
    expect(parseIncident({ incident: { S: JSON.stringify({ ...incident, key: { ...key, accountId: 1.5 } }) } })).toBeUndefined();
  });
});
