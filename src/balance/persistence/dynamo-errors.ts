import { ServiceUnavailableError } from '../../common/errors';

/** DynamoDB answered but could not be used (throttled, unreachable, timed out, failing). */
export class LedgerStoreUnavailableError extends ServiceUnavailableError {
  constructor(override readonly cause: unknown) {
    super('The account store is temporarily unavailable; try again shortly.', 1);
  }
}

/** Errors that mean our request was wrong (a bug), not that DynamoDB is unavailable. */
const REQUEST_BUGS = new Set(['ValidationException', 'SerializationException']);

/**
 * Anything the SDK throws that is not a request bug becomes a 503 (network error, timeout,
 * throttling, 5xx, a missing table): a client can never turn a DynamoDB outage into a 500.
 */
export function storeError(err: unknown): Error {
  if (err instanceof LedgerStoreUnavailableError) return err;
  const name = (err as { name?: unknown } | null)?.name;
  if (typeof name === 'string' && REQUEST_BUGS.has(name)) return err as Error;
  return new LedgerStoreUnavailableError(err);
}

export async function guarded<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw storeError(err);
  }
}
