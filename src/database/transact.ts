import { randomUUID } from 'node:crypto';
import {
  DynamoDBDocumentClient,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { ServiceUnavailableError } from '../common/errors';
import { backoffMs, cancellationCodes, isTransactionConflict, sleep } from './dynamo-errors';

const MAX_TRANSACTION_ATTEMPTS = 5;

/**
 * Runs a TransactWriteItems with a ClientRequestToken, mapping condition failures through
 * `onCancelled` (per-item codes, in item order) and retrying transaction conflicts with jittered
 * backoff, then 503.
 */
export async function transactWrite(
  doc: DynamoDBDocumentClient,
  input: Omit<TransactWriteCommandInput, 'ClientRequestToken'>,
  onCancelled: (codes: string[]) => Error | null,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await doc.send(new TransactWriteCommand({ ...input, ClientRequestToken: randomUUID() }));
      return;
    } catch (err) {
      const codes = cancellationCodes(err);
      if (!codes) throw err;
      const mapped = onCancelled(codes);
      if (mapped) throw mapped;
      if (!isTransactionConflict(codes) || attempt >= MAX_TRANSACTION_ATTEMPTS) {
        throw new ServiceUnavailableError('The database is busy; retry shortly.');
      }
      await sleep(backoffMs(attempt));
    }
  }
}
