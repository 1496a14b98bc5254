import { BatchWriteItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { monotonicFactory } from 'ulid';
import type { LedgerTransaction, TransactionType } from '../src/balance/domain/ledger';
import { toTransactionItem } from '../src/balance/persistence/ledger.items';
import { Api, listen } from './utils/ledger-http';
import { metricValue } from './utils/metrics';
import { startTestApp, TestApp } from './utils/test-app';
import { createCustomer, Customer } from './utils/users';

const TOTAL = 3000;
/**
 * Every 700th transaction is an order payment: 5 matches over the whole history, never 3 within the
 * 1,000 a request may examine, so a page of 2 can only be filled by reaching the end or the cap.
 */
const MATCH_EVERY = 700;
const LIMIT = 2;
/** What one request may cost at most: the scan cap (1,000 items) in pages of 100, plus one. */
const MAX_QUERIES_PER_REQUEST = 11;

const newId = monotonicFactory();

/** Seeds the ledger; returns every transaction id and the matching ones, newest first. */
async function seedHistory(
  t: TestApp,
  userId: string,
): Promise<{ all: string[]; matching: string[] }> {
  const all: string[] = [];
  const matching: string[] = [];
  const items = Array.from({ length: TOTAL }, (_, i) => {
    const type: TransactionType = i % MATCH_EVERY === 7 ? 'order_payment' : 'deposit';
    const now = new Date().toISOString();
    const tx: LedgerTransaction = {
      transactionId: newId(),
      userId,
      type,
      amountCents: type === 'deposit' ? 100 : -100,
      status: 'completed',
      description: null,
      referenceId: null,
      balanceAfterCents: 0,
      createdAt: now,
      updatedAt: now,
    };
    all.push(tx.transactionId);
    if (type === 'order_payment') matching.push(tx.transactionId);
    return toTransactionItem(tx);
  });
  for (let i = 0; i < items.length; i += 25) {
    const chunk = items.slice(i, i + 25);
    await t.ddb.send(
      new BatchWriteItemCommand({
        RequestItems: {
          [t.config.dynamodb.tableName]: chunk.map((item) => ({
            PutRequest: { Item: marshall(item, { removeUndefinedValues: true }) },
          })),
        },
      }),
    );
  }
  // Newest first, as the history answers.
  return { all: all.reverse(), matching: matching.reverse() };
}

describe('filtered history scan cap (issue 8, point 7)', () => {
  let t: TestApp;
  let api: Api;
  let customer: Customer;
  let seeded: { all: string[]; matching: string[] };
  const queryCount = async () =>
    metricValue(
      (await api.call('GET', '/metrics')).text,
      'dynamodb_operation_duration_seconds_count{operation="Query"}',
    );

  beforeAll(async () => {
    t = await startTestApp('history_scan_cap');
    api = await listen(t);
    customer = await createCustomer(t.http);
    seeded = await seedHistory(t, customer.userId);
  }, 120_000);

  afterAll(async () => {
    await t.close();
  });

  it('makes a bounded number of DynamoDB queries per request and pages to every match exactly once', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let requests = 0;
    let shortPages = 0;
    do {
      const before = await queryCount();
      const query = new URLSearchParams({
        limit: String(LIMIT),
        type: 'order_payment',
        ...(cursor ? { cursor } : {}),
      });
      const res = await api.get(`/users/me/balance/transactions?${query}`, customer.accessToken);
      const queries = (await queryCount()) - before;
      expect(res.status).toBe(200);
      expect(queries).toBeGreaterThan(0);
      expect(queries).toBeLessThanOrEqual(MAX_QUERIES_PER_REQUEST);
      expect(res.body.transactions.length).toBeLessThanOrEqual(LIMIT);
      expect(res.body.count).toBe(res.body.transactions.length);
      for (const tx of res.body.transactions) {
        expect(tx.transaction_type).toBe('order_payment');
        seen.push(tx.transaction_id);
      }
      if (res.body.has_more && res.body.count < LIMIT) shortPages += 1;
      // A cursor exactly when there is more.
      expect(typeof res.body.next_cursor).toBe(res.body.has_more ? 'string' : 'object');
      cursor = res.body.next_cursor ?? undefined;
      requests += 1;
      expect(requests).toBeLessThan(40);
    } while (cursor);
    expect(seen).toEqual(seeded.matching);
    expect(seen).toHaveLength(5);
    expect(shortPages).toBeGreaterThan(0); // the cap, not the end of the ledger, ended some pages
  });

  it('still pages an unfiltered history exactly', async () => {
    const res = await api.get('/users/me/balance/transactions?limit=100', customer.accessToken);
    expect(res.status).toBe(200);
    expect(res.body.count).toBe(100);
    expect(res.body.has_more).toBe(true);
    expect(res.body.transactions.map((x: { transaction_id: string }) => x.transaction_id)).toEqual(
      seeded.all.slice(0, 100),
    );
  });
});
