/**
 * `npm run holds:release-expired`: releases every hold whose expiry has passed (in batches of 100
 * until none is left) and prints a JSON summary on stdout. Safe to run from several places at
 * once and next to a running service: a hold resolves at most once.
 * Exit code: 0 done, 2 the job could not run.
 */
import { Counter } from 'prom-client';
import { createLogger } from '../../common/logging/logger';
import { openCliDatabase } from '../../database/cli-database';
import { BALANCE_OPERATIONS_TOTAL } from '../../metrics/metric-names';
import { DynamoBalanceRepository } from '../persistence/dynamo-balance.repository';
import { DynamoOrderLedgerRepository } from '../persistence/dynamo-order-ledger.repository';
import { OrderSettlementService } from './order-settlement.service';

/** Batches per run at most, so a run always ends (holds expiring meanwhile wait for the next). */
const MAX_BATCHES = 1_000;

async function main(): Promise<number> {
  if (process.argv.length > 2) throw new Error('usage: holds:release-expired (no arguments)');
  const db = await openCliDatabase();
  const { config, documents } = db;
  try {
    const counter = new Counter({
      name: BALANCE_OPERATIONS_TOTAL,
      help: 'unused in the CLI',
      labelNames: ['operation', 'result'],
      registers: [],
    });
    const service = new OrderSettlementService(
      new DynamoBalanceRepository(documents, config),
      new DynamoOrderLedgerRepository(documents, config),
      counter,
      createLogger(config.logLevel, process.stderr),
    );
    const started = new Date();
    let examined = 0;
    let released = 0;
    for (let batch = 0; batch < MAX_BATCHES; batch++) {
      const summary = await service.releaseExpired(started);
      examined += summary.examined;
      released += summary.released;
      if (summary.examined === 0 || summary.released === 0) break;
    }
    console.log(JSON.stringify({ ok: true, examined, released, as_of: started.toISOString() }));
    return 0;
  } finally {
    await db.close();
  }
}

if (require.main === module) {
  const exit = (code: number) => process.stdout.write('', () => process.exit(code));
  main().then(exit, (err: unknown) => {
    console.error(`holds:release-expired: ${err instanceof Error ? err.message : String(err)}`);
    exit(2);
  });
}
