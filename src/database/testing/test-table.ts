import { DeleteTableCommand, DynamoDB } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { assertTestTableName, testConfig, uniqueTableName } from '../../../test/utils/test-app';
import type { AppConfig } from '../../config';
import { createDynamoDbClient } from '../dynamodb.client';
import { ensureTable } from '../ensure-table';

/** A `test_` table of its own on the DynamoDB Local the e2e global setup started. */
export interface TestTable {
  config: AppConfig;
  client: DynamoDB;
  /** Document client configured as in production (database.module.ts). */
  doc: DynamoDBDocumentClient;
  drop(): Promise<void>;
}

export async function openTestTable(label: string): Promise<TestTable> {
  const config = testConfig(uniqueTableName(label));
  const client = createDynamoDbClient(config);
  await ensureTable(client, config.dynamodb.tableName);
  const doc = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  return {
    config,
    client,
    doc,
    async drop() {
      assertTestTableName(config.dynamodb.tableName);
      await client.send(new DeleteTableCommand({ TableName: config.dynamodb.tableName }));
      client.destroy();
    },
  };
}
