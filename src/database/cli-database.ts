import { join } from 'node:path';
import type { DynamoDB } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AppConfig, loadConfigFromEnvironment, type LoadConfigOptions } from '../config';
import { createDynamoDbClient } from './dynamodb.client';
import { startDynamoDbLocal } from './local/dynamodb-local';

export interface CliDatabase {
  readonly config: AppConfig;
  readonly client: DynamoDB;
  readonly documents: DynamoDBDocumentClient;
  close(): Promise<void>;
}

/**
 * The database a command-line tool works on: the configured DynamoDB, or — without
 * DYNAMODB_ENDPOINT outside production — the embedded DynamoDB Local data that `npm start` uses.
 */
export async function openCliDatabase(options: LoadConfigOptions = {}): Promise<CliDatabase> {
  let config = loadConfigFromEnvironment({}, options);
  const emulator = config.dynamodb.embedded
    ? await startDynamoDbLocal({ dbPath: join(config.localDataDir, 'dynamodb') })
    : undefined;
  if (emulator)
    config = loadConfigFromEnvironment({ DYNAMODB_ENDPOINT: emulator.endpoint }, options);
  const client = createDynamoDbClient(config);
  return {
    config,
    client,
    documents: DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true },
    }),
    async close() {
      client.destroy();
      await emulator?.stop();
    },
  };
}
