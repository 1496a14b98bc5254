/**
 * `npm run reconcile [-- --user USER_ID]`: recomputes balances from the ledger (one user, or every
 * user with a balance or a transaction) and prints a JSON report on stdout.
 * Exit code: 0 everything reconciles, 1 a mismatch (or an unknown user), 2 the check could not run.
 */
import { openCliDatabase } from '../../database/cli-database';
import { DynamoBalanceRepository } from '../persistence/dynamo-balance.repository';
import { LedgerStoreUnavailableError } from '../persistence/dynamo-errors';
import { DynamoOrderLedgerRepository } from '../persistence/dynamo-order-ledger.repository';
import { ReconcileService } from './reconcile.service';

export function parseArgs(argv: readonly string[]): { userId?: string } {
  let userId: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--user') userId = argv[++i];
    else if (arg.startsWith('--user=')) userId = arg.slice('--user='.length);
    else throw new Error(`Unknown argument "${arg}" (usage: reconcile [--user USER_ID])`);
    if (!userId) throw new Error('--user needs a user id');
  }
  return { userId };
}

async function main(): Promise<number> {
  const { userId } = parseArgs(process.argv.slice(2));
  const db = await openCliDatabase();
  const { config, documents } = db;
  try {
    const service = new ReconcileService(
      new DynamoBalanceRepository(documents, config),
      new DynamoOrderLedgerRepository(documents, config),
    );
    if (userId) {
      const report = await service.reconcileUser(userId);
      console.log(
        JSON.stringify(report ?? { user_id: userId, ok: false, error: 'not_found' }, null, 2),
      );
      return report?.ok ? 0 : 1;
    }
    const summary = await service.reconcileAll();
    console.log(JSON.stringify(summary, null, 2));
    return summary.ok ? 0 : 1;
  } finally {
    await db.close();
  }
}

if (require.main === module) {
  const exit = (code: number) => process.stdout.write('', () => process.exit(code));
  main().then(exit, (err: unknown) => {
    const cause = err instanceof LedgerStoreUnavailableError ? err.cause : undefined;
    const detail = cause instanceof Error ? ` (${cause.name}: ${cause.message})` : '';
    console.error(`reconcile: ${err instanceof Error ? err.message : String(err)}${detail}`);
    exit(2);
  });
}
