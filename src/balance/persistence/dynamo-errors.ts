import { ServiceUnavailableError } from '../../common/errors';
import { isSdkRequestBug } from '../../database/dynamo-errors';

/** DynamoDB answered but could not be used (throttled, unreachable, timed out, failing). */
export class LedgerStoreUnavailableError extends ServiceUnavailableError {
  constructor(override readonly cause: unknown) {
    super('The account store is temporarily unavailable; try again shortly.', 1);
  }
}

/**
 * Anything the SDK throws that is not a request bug becomes a 503 (network error, timeout,
 * throttling, 5xx, a missing table): a client can never turn a DynamoDB outage into a 500.
 */
export function storeError(err: unknown): Error {
  if (err instanceof LedgerStoreUnavailableError) return err;
  if (isSdkRequestBug(err)) return err as Error;
  return new LedgerStoreUnavailableError(err);
}

export async function guarded<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw storeError(err);
  }
}
