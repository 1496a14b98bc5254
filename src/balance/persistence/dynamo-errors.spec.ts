import { LedgerStoreUnavailableError, storeError } from './dynamo-errors';
import { networkOutage } from '../../database/testing/network-outage';

describe('storeError: what a ledger store failure becomes', () => {
  const sdkError = (name: string) =>
    Object.assign(new Error(name), { name, $metadata: { httpStatusCode: 400 } });

  it('turns an outage into a 503 that says the store is unavailable, keeping the cause', () => {
    const outage = networkOutage();
    const mapped = storeError(outage);
    expect(mapped).toBeInstanceOf(LedgerStoreUnavailableError);
    expect(mapped).toMatchObject({
      status: 503,
      code: 'service_unavailable',
      message: 'The account store is temporarily unavailable; try again shortly.',
      cause: outage,
    });
    // Already mapped: passed on as it is.
    expect(storeError(mapped)).toBe(mapped);
  });

  it.each(['ValidationException', 'SerializationException'])(
    'passes a request bug (%s) through unchanged: a 500 to look into, never a 503',
    (name) => {
      const bug = sdkError(name);
      expect(storeError(bug)).toBe(bug);
    },
  );
});
