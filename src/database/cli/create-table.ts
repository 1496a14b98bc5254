import { openCliDatabase } from '../cli-database';
import { ensureTable } from '../ensure-table';

/**
 * `npm run db:create-table`: creates the table, its e-mail index and TTL (idempotent), on the database
 * the other tools use: DYNAMODB_ENDPOINT, AWS (production), or the embedded DynamoDB Local's data.
 */
async function main(): Promise<void> {
  const db = await openCliDatabase({ jwtSecretRequired: false });
  const { config } = db;
  try {
    const result = await ensureTable(db.client, config.dynamodb.tableName);
    console.log(
      `Table ${config.dynamodb.tableName} ${result === 'created' ? 'created' : 'already exists'} (${config.dynamodb.endpoint ?? `AWS ${config.aws.region}`}).`,
    );
  } finally {
    await db.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
