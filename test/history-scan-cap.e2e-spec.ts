import { BatchWriteItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import request from 'supertest';
import { monotonicFactory } from 'ulid';
import type { LedgerTransaction, TransactionType } from '../src/balance/domain/ledger';
import { toTransactionItem } from '../src/balance/persistence/ledger.items';
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

async function seedHistory(t: TestApp, userId: string): Promise<string[]> {
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
  return matching.reverse(); // newest first, as the history answers
}

async function queryCount(t: TestApp): Promise<number> {
  const res = await request(t.http).get('/metrics');
  const line = res.text
    .split('\n')
    .find((l) => l.startsWith('dynamodb_operation_duration_seconds_count{operation="Query"}'));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('filtered history scan cap (issue 8, point 7)', () => {
  let t: TestApp;
  let customer: Customer;
  let matching: string[];

  beforeAll(async () => {
    t = await startTestApp('history_scan_cap');
    customer = await createCustomer(t.http);
    matching = await seedHistory(t, customer.userId);
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
      const before = await queryCount(t);
      const res = await request(t.http)
        .get('/users/me/balance/transactions')
        .query({ limit: LIMIT, type: 'order_payment', ...(cursor ? { cursor } : {}) })
        .set('Authorization', `Bearer ${customer.accessToken}`);
      const queries = (await queryCount(t)) - before;
      expect(res.status).toBe(200);
      expect(queries).toBeGreaterThan(0);
      expect(queries).toBeLessThanOrEqual(MAX_QUERIES_PER_REQUEST);
      expect(res.body.transactions.length).toBeLessThanOrEqual(LIMIT);
      for (const tx of res.body.transactions) {
        expect(tx.transaction_type).toBe('order_payment');
        seen.push(tx.transaction_id);
      }
      if (res.body.has_more && res.body.count < LIMIT) shortPages += 1;
      cursor = res.body.has_more ? res.body.next_cursor : undefined;
      if (res.body.has_more) expect(typeof cursor).toBe('string');
      requests += 1;
      expect(requests).toBeLessThan(40);
    } while (cursor);
    expect(seen).toEqual(matching);
    expect(shortPages).toBeGreaterThan(0); // the cap, not the end of the ledger, ended some pages
  });

  it('still pages an unfiltered history exactly', async () => {
    const res = await request(t.http)
      .get('/users/me/balance/transactions')
      .query({ limit: 100 })
      .set('Authorization', `Bearer ${customer.accessToken}`);
    expect(res.status).toBe(200);
    expect(res.body.count).toBe(100);
    expect(res.body.has_more).toBe(true);
  });
});
