import type { DynamoDBDocumentClient, NativeAttributeValue } from '@aws-sdk/lib-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { guarded } from './dynamo-errors';

type Item = Record<string, NativeAttributeValue>;

/** Every item of one partition whose sort key starts with `prefix` (strongly consistent, all pages). */
export async function queryAllWithPrefix(
  db: DynamoDBDocumentClient,
  table: string,
  partitionKey: string,
  prefix: string,
): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const out = await guarded(() =>
      db.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
          ExpressionAttributeValues: { ':pk': partitionKey, ':prefix': prefix },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      ),
    );
    items.push(...(out.Items ?? []));
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return items;
}
