import { loadConfigFromEnvironment } from '../../config';
import { createDynamoDbClient } from '../dynamodb.client';
import { ensureTable } from '../ensure-table';

/** `npm run db:create-table`: creates the table, its e-mail index and TTL (idempotent). */
async function main(): Promise<void> {
  const config = loadConfigFromEnvironment();
  const client = createDynamoDbClient(config);
  try {
    const result = await ensureTable(client, config.dynamodb.tableName);
    console.log(
      `Table ${config.dynamodb.tableName} ${result === 'created' ? 'created' : 'already exists'} (${config.dynamodb.endpoint ?? `AWS ${config.aws.region}`}).`,
    );
  } finally {
    client.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
