/**
 * The one versioned conditional write of the stack's small state records (the watchdog's state, incidents):
 * PutItem of `item` with `version` = expectedVersion + 1, only if the stored version is still `expectedVersion`
 * (0: nothing stored yet), so of two writers that read the same version exactly one wins.
 */
import { ConditionalCheckFailedException, PutItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Returns false when another writer came first; any other failure is thrown as the SDK threw it. */
export async function putIfVersion(
  client: DynamoDBClient,
  tableName: string,
  item: Record<string, AttributeValue>,
  versionAttribute: string,
  expectedVersion: number,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  try {
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: { ...item, [versionAttribute]: { N: String(expectedVersion + 1) } },
        ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(#version)' : '#version = :expected',
        ExpressionAttributeNames: { '#version': versionAttribute },
        ...(expectedVersion === 0 ? {} : { ExpressionAttributeValues: { ':expected': { N: String(expectedVersion) } } }),
      }),
      { abortSignal: signal },
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
