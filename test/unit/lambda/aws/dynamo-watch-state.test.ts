/**
 * lambda/aws/dynamo-watch-state.ts's receiver side against a stubbed DynamoDB client (aws-sdk-client-mock): how
 * often a container writes the watchdog's sighting.
 */
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoWatchState, SIGHTING_INTERVAL_MS } from '../../../../lambda/aws/dynamo-watch-state';
import { MemoryLog } from '../../../support/fakes';

const dynamodb = mockClient(DynamoDBClient);
beforeEach(() => dynamodb.reset());

function sightings() {
  let now = 1_000_000;
  const store = new DynamoWatchState(new DynamoDBClient({}), 'table', new MemoryLog(), () => now);
  return { store, advance: (ms: number) => (now += ms) };
}
const written = () => dynamodb.commandCalls(UpdateItemCommand).map((call) => call.args[0].input.UpdateExpression);

it('writes a sighting at most once per interval, but every min_balance at once', async () => {
  dynamodb.on(UpdateItemCommand).resolves({});
  const { store, advance } = sightings();
  await store.note(42, false);
  advance(SIGHTING_INTERVAL_MS - 1);
  await store.note(42, false); // within the interval: not written
  await store.note(42, true); // a min_balance: written whatever the interval
  advance(SIGHTING_INTERVAL_MS - 1);
  await store.note(42, false); // the min_balance's write restarted the interval
  advance(1);
  await store.note(42, false);
  expect(written()).toEqual(['SET #verified = :now', 'SET #verified = :now, #minBalance = :now', 'SET #verified = :now']);
});

it('a failed write does not count: the next request tries again', async () => {
  dynamodb.on(UpdateItemCommand).rejectsOnce(new Error('throttled')).resolves({});
  const { store } = sightings();
  await store.note(42, false);
  await store.note(42, false);
  expect(written()).toHaveLength(2);
});
