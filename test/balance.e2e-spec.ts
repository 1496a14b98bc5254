import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { Api, listen, runPool } from './utils/ledger-http';
import { metricValue } from './utils/metrics';
import { expectProblem } from './utils/problems';
import { startTestApp, TestApp } from './utils/test-app';
import { createAdminToken, createCustomer, createServiceToken } from './utils/users';

const MONEY = /^-?\d+\.\d{2}$/;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

interface Customer {
  userId: string;
  accessToken: string;
}

describe('balance, deposits, withdrawals and history (HTTP, DynamoDB Local)', () => {
  let t: TestApp;
  let api: Api;
  let admin: string;
  let alice: Customer;
  let bob: Customer;

  beforeAll(async () => {
    t = await startTestApp('balance');
    api = await listen(t);
    admin = await createAdminToken(t);
    alice = await createCustomer(t.http);
    bob = await createCustomer(t.http);
  });
  afterAll(async () => {
    await t.close();
  });

  async function itemCount(userId: string, prefix: string): Promise<number> {
    const out = await t.ddb.send(
      new QueryCommand({
        TableName: t.config.dynamodb.tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :p)',
        ExpressionAttributeValues: { ':pk': { S: userId }, ':p': { S: prefix } },
        ConsistentRead: true,
        Select: 'COUNT',
      }),
    );
    return out.Count ?? 0;
  }

  describe('GET balance', () => {
    it('answers the same zero balance on the canonical, me and compatibility routes', async () => {
      const c = await createCustomer(t.http);
      const canonical = await api.get(`/users/${c.userId}/balance`, c.accessToken);
      expect(canonical.status).toBe(200);
      expect(canonical.body).toEqual({
        user_id: c.userId,
        current_balance: '0.00',
        available_balance: '0.00',
        held_balance: '0.00',
        currency: 'USD',
        updated_at: expect.stringMatching(ISO),
      });
      expect((await api.get('/users/me/balance', c.accessToken)).body).toEqual(canonical.body);
      expect((await api.get('/balance', c.accessToken)).body).toEqual(canonical.body);
    });

    it("refuses another customer's balance with 403 and lets an admin read it", async () => {
      const denied = await api.get(`/users/${alice.userId}/balance`, bob.accessToken);
      expectProblem(denied, 403, 'forbidden');
      expect((await api.get(`/users/${alice.userId}/balance`, admin)).status).toBe(200);
    });

    it('lets a service token read a balance but not move money', async () => {
      const service = createServiceToken(t);
      const read = await api.get(`/users/${alice.userId}/balance`, service);
      expect(read.status).toBe(200);
      expect(read.body.user_id).toBe(alice.userId);
      const deposit = await api.post(`/users/${alice.userId}/balance/deposit`, service, {
        amount: 1,
      });
      expectProblem(deposit, 403, 'forbidden');
      expectProblem(
        await api.get(`/users/${alice.userId}/balance/transactions`, service),
        403,
        'forbidden',
      );
    });

    it('answers 404 for a user without a balance and 401 without a token', async () => {
      const missing = await api.get('/users/00000000-0000-4000-8000-000000000000/balance', admin);
      expectProblem(missing, 404, 'not_found');
      expectProblem(await api.call('GET', '/balance'), 401, 'unauthorized');
    });
  });

  describe('round trips (issue #10): the session check and the route’s first read go out together', () => {
    // Not UpdateItem or Query: the mail outbox (a new user's verification mail) uses those meanwhile.
    const OPERATIONS = ['BatchGetItem', 'GetItem', 'TransactWriteItems', 'PutItem', 'DeleteItem'];
    /** DynamoDB calls the app made per operation, from its own histogram. */
    async function callsDuring(work: () => Promise<unknown>): Promise<Record<string, number>> {
      const count = async () => {
        const text = (await api.call('GET', '/metrics')).text;
        return OPERATIONS.map((op) =>
          metricValue(text, `dynamodb_operation_duration_seconds_count{operation="${op}"}`),
        );
      };
      const before = await count();
      await work();
      const after = await count();
      return Object.fromEntries(
        OPERATIONS.map((op, i) => [op, after[i] - before[i]]).filter(([, n]) => n !== 0),
      );
    }

    it('GET balance is one BatchGetItem (session, user, balance); a deposit that plus one transaction', async () => {
      const c = await createCustomer(t.http);
      for (const path of ['/users/me/balance', `/users/${c.userId}/balance`, '/balance']) {
        let answer = await api.get(path, c.accessToken);
        expect(
          await callsDuring(async () => (answer = await api.get(path, c.accessToken))),
        ).toEqual({ BatchGetItem: 1 });
        expect(answer.status).toBe(200);
      }
      let deposit = await api.post('/users/me/balance/deposit', c.accessToken, { amount: '1.25' });
      expect(
        await callsDuring(
          async () =>
            (deposit = await api.post('/users/me/balance/deposit', c.accessToken, {
              amount: '2.50',
            })),
        ),
      ).toEqual({ BatchGetItem: 1, TransactWriteItems: 1 });
      expect(deposit.status).toBe(201);
      expect(deposit.body).toMatchObject({ balance: { current_balance: '3.75' } });
    });

    it('an admin reading another user’s balance reads it after the session check (two calls), same answer', async () => {
      const c = await createCustomer(t.http);
      await api.post('/users/me/balance/deposit', c.accessToken, { amount: '4.00' });
      let answer = await api.get(`/users/${c.userId}/balance`, admin);
      expect(
        await callsDuring(
          async () => (answer = await api.get(`/users/${c.userId}/balance`, admin)),
        ),
      ).toEqual({ BatchGetItem: 2 });
      expect(answer.body).toMatchObject({ user_id: c.userId, current_balance: '4.00' });
    });

    it('refuses the very next request of a revoked session, although its balance read went out', async () => {
      const c = await createCustomer(t.http);
      expect((await api.get('/users/me/balance', c.accessToken)).status).toBe(200);
      expect((await api.call('POST', '/auth/logout', { token: c.accessToken })).status).toBe(200);
      const read = await api.get('/users/me/balance', c.accessToken);
      expectProblem(read, 401, 'invalid_token');
      expect(read.text).not.toContain('current_balance');
      const deposit = await api.post('/users/me/balance/deposit', c.accessToken, {
        amount: '1.00',
      });
      expectProblem(deposit, 401, 'invalid_token');
      const other = await createCustomer(t.http);
      // The balance did not move: read back through a fresh session of an admin.
      expect((await api.get(`/users/${c.userId}/balance`, admin)).body).toMatchObject({
        current_balance: '0.00',
      });
      expect((await api.get('/users/me/balance', other.accessToken)).status).toBe(200);
    });
  });

  describe('deposit and withdraw', () => {
    it('deposits with 201 and the SPEC body, and withdraws as a negative amount', async () => {
      const c = await createCustomer(t.http);
      const dep = await api.post(`/users/${c.userId}/balance/deposit`, c.accessToken, {
        amount: '100.50',
        description: '  first  ',
      });
      expect(dep.status).toBe(201);
      expect(dep.headers.get('idempotent-replayed')).toBeNull();
      expect(dep.body).toEqual({
        success: true,
        message: 'Deposit completed.',
        transaction: {
          transaction_id: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/),
          transaction_type: 'deposit',
          amount: '100.50',
          status: 'completed',
          description: 'first',
          reference_id: null,
          balance_after: '100.50',
          created_at: expect.stringMatching(ISO),
          updated_at: expect.stringMatching(ISO),
          asset: null,
          hold_expires_at: null,
        },
        balance: {
          user_id: c.userId,
          current_balance: '100.50',
          available_balance: '100.50',
          held_balance: '0.00',
          currency: 'USD',
          updated_at: expect.stringMatching(ISO),
        },
        transaction_id: dep.body.transaction.transaction_id,
        timestamp: dep.body.transaction.created_at,
      });

      const wd = await api.post('/balance/withdraw', c.accessToken, { amount: 0.5 });
      expect(wd.status).toBe(201);
      expect(wd.body.transaction).toMatchObject({
        transaction_type: 'withdraw',
        amount: '-0.50',
        balance_after: '100.00',
        description: null,
      });
      expect(wd.body.balance.current_balance).toBe('100.00');

      const tooMuch = await api.post('/users/me/balance/withdraw', c.accessToken, {
        amount: '100.01',
      });
      expectProblem(tooMuch, 422, 'insufficient_funds');
      expect((await api.get('/balance', c.accessToken)).body.current_balance).toBe('100.00');
    });

    it("refuses to move another customer's money (403) but lets an admin deposit for them", async () => {
      const denied = await api.post(`/users/${alice.userId}/balance/deposit`, bob.accessToken, {
        amount: 1,
      });
      expectProblem(denied, 403, 'forbidden');
      const byAdmin = await api.post(`/users/${alice.userId}/balance/deposit`, admin, {
        amount: 1,
      });
      expect(byAdmin.status).toBe(201);
      expect(byAdmin.body.balance.user_id).toBe(alice.userId);
    });

    const BAD_AMOUNTS: Array<[string, string]> = [
      ['1e-3', '{"amount": 1e-3}'],
      ['"1.005"', '{"amount": "1.005"}'],
      ['1.005', '{"amount": 1.005}'],
      ['-1', '{"amount": -1}'],
      ['0', '{"amount": 0}'],
      ['"abc"', '{"amount": "abc"}'],
      ['1e21', '{"amount": 1e21}'],
      ['"NaN"', '{"amount": "NaN"}'],
      ['1e999 (Infinity)', '{"amount": 1e999}'],
      ['"Infinity"', '{"amount": "Infinity"}'],
      ['true', '{"amount": true}'],
      ['false', '{"amount": false}'],
      ['[]', '{"amount": []}'],
      ['[10]', '{"amount": [10]}'],
      ['{}', '{"amount": {}}'],
      ['null', '{"amount": null}'],
      ['1000000.01', '{"amount": 1000000.01}'],
      ['missing', '{}'],
    ];

    it.each(BAD_AMOUNTS)(
      'rejects amount %s with 422 naming amount and writes nothing',
      async (_label, raw) => {
        const c = await createCustomer(t.http);
        for (const kind of ['deposit', 'withdraw']) {
          const res = await api.call('POST', `/users/me/balance/${kind}`, {
            token: c.accessToken,
            rawBody: raw,
          });
          expectProblem(res, 422, 'validation_failed');
          expect(res.body.errors).toEqual([
            { field: 'amount', message: expect.stringMatching(/^amount /) },
          ]);
        }
        expect(await itemCount(c.userId, 'TX#')).toBe(0);
        expect(await itemCount(c.userId, 'LIMIT#')).toBe(0);
        expect((await api.get('/balance', c.accessToken)).body.current_balance).toBe('0.00');
      },
    );

    it('rejects bad descriptions and unknown fields with 422 naming the field', async () => {
      const cases: Array<[unknown, string]> = [
        [{ amount: 1, description: 'x'.repeat(256) }, 'description'],
        [{ amount: 1, description: 'line\nbreak' }, 'description'],
        [{ amount: 1, description: 'bell\u0007' }, 'description'],
        [{ amount: 1, description: 42 }, 'description'],
        [{ amount: 1, currency: 'EUR' }, 'currency'],
        [{ amount: 1, user_id: bob.userId }, 'user_id'],
      ];
      for (const [body, field] of cases) {
        const res = await api.post('/balance/deposit', alice.accessToken, body);
        expect(res.status).toBe(422);
        expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      }
      const ok = await api.post('/balance/deposit', alice.accessToken, {
        amount: 1,
        description: `${'y'.repeat(255)}`,
      });
      expect(ok.status).toBe(201);
    });

    it('validates the Idempotency-Key header (≤ 255 visible ASCII characters)', async () => {
      for (const key of ['k'.repeat(256), 'with space', 'tab\there', '']) {
        const res = await api.call('POST', '/balance/deposit', {
          token: alice.accessToken,
          body: { amount: 1 },
          headers: { 'Idempotency-Key': key },
        });
        expect(res.status).toBe(422);
        expect(res.body.errors).toEqual([
          {
            field: 'Idempotency-Key',
            message: 'Idempotency-Key must be 1 to 255 visible ASCII characters',
          },
        ]);
      }
      const longest = await api.post(
        '/balance/deposit',
        alice.accessToken,
        { amount: 1 },
        {
          'Idempotency-Key': 'k'.repeat(255),
        },
      );
      expect(longest.status).toBe(201);
    });
  });

  describe('daily limits (10,000.00 deposits, 5,000.00 withdrawals per UTC day)', () => {
    // The app's clock is the test's: the UTC day never changes under a test, whenever it runs.
    let now = Date.parse('2026-03-04T12:00:00.000Z');
    let limits: TestApp;
    let limitsApi: Api;
    beforeAll(async () => {
      limits = await startTestApp('balance_limits', {}, undefined, { clock: { now: () => now } });
      limitsApi = await listen(limits);
    });
    afterAll(async () => {
      await limits.close();
    });
    beforeEach(() => {
      now = Date.parse('2026-03-04T12:00:00.000Z');
    });

    it('lets 10,000.00 of deposits through and rejects 0.01 more', async () => {
      const c = await createCustomer(limits.http);
      for (const amount of ['2500', '2500.00', 2500, '2499.99', '0.01']) {
        expect((await limitsApi.post('/balance/deposit', c.accessToken, { amount })).status).toBe(
          201,
        );
      }
      const over = await limitsApi.post('/balance/deposit', c.accessToken, { amount: '0.01' });
      expect(over.status).toBe(422);
      expect(over.body.code).toBe('daily_limit_exceeded');
      expect((await limitsApi.get('/balance', c.accessToken)).body.current_balance).toBe(
        '10000.00',
      );
      // The withdrawal limit is separate.
      expect(
        (await limitsApi.post('/balance/withdraw', c.accessToken, { amount: '5000' })).status,
      ).toBe(201);
      const overWithdraw = await limitsApi.post('/balance/withdraw', c.accessToken, {
        amount: '0.01',
      });
      expect(overWithdraw.body.code).toBe('daily_limit_exceeded');
    });

    it('cannot be passed by parallel requests', async () => {
      const c = await createCustomer(limits.http);
      const deposits = await Promise.all(
        Array.from({ length: 30 }, () =>
          limitsApi.post('/balance/deposit', c.accessToken, { amount: '500.00' }),
        ),
      );
      expect(deposits.filter((r) => r.status === 201)).toHaveLength(20);
      const rejected = deposits.filter((r) => r.status !== 201);
      expect(rejected).toHaveLength(10);
      expect(
        rejected.every((r) => r.status === 422 && r.body.code === 'daily_limit_exceeded'),
      ).toBe(true);

      const withdrawals = await Promise.all(
        Array.from({ length: 15 }, () =>
          limitsApi.post('/balance/withdraw', c.accessToken, { amount: 500 }),
        ),
      );
      expect(withdrawals.filter((r) => r.status === 201)).toHaveLength(10);
      expect(withdrawals.filter((r) => r.body.code === 'daily_limit_exceeded')).toHaveLength(5);
      expect((await limitsApi.get('/balance', c.accessToken)).body.current_balance).toBe('5000.00');
    });

    it('starts a new day at UTC midnight: the used limit does not carry over', async () => {
      const c = await createCustomer(limits.http);
      now = Date.parse('2026-03-04T23:59:59.999Z');
      expect(
        (await limitsApi.post('/balance/deposit', c.accessToken, { amount: '10000' })).status,
      ).toBe(201);
      const over = await limitsApi.post('/balance/deposit', c.accessToken, { amount: '0.01' });
      expect(over.body.code).toBe('daily_limit_exceeded');
      now = Date.parse('2026-03-05T00:00:00.000Z');
      const next = await limitsApi.post('/balance/deposit', c.accessToken, { amount: '10000' });
      expect(next.status).toBe(201);
      expect(next.body.transaction.created_at).toBe('2026-03-05T00:00:00.000Z');
      expect(
        (await limitsApi.post('/balance/deposit', c.accessToken, { amount: '0.01' })).body.code,
      ).toBe('daily_limit_exceeded');
      expect((await limitsApi.get('/balance', c.accessToken)).body.current_balance).toBe(
        '20000.00',
      );
    });
  });

  describe('history', () => {
    it('pages 120 transactions with limit=7 while deposits arrive: no duplicate, no gap', async () => {
      const c = await createCustomer(t.http);
      await runPool(
        8,
        Array.from(
          { length: 120 },
          (_, i) => () => api.post('/balance/deposit', c.accessToken, { amount: `${i + 1}.00` }),
        ),
      );
      const before = new Set<string>();
      for (const path of [
        '/balance/transactions?limit=100',
        '/balance/transactions?limit=100&offset=100',
      ]) {
        for (const tx of (await api.get(path, c.accessToken)).body.transactions)
          before.add(tx.transaction_id);
      }
      expect(before.size).toBe(120);

      let writing = true;
      const writer = (async () => {
        let n = 0;
        while (writing) {
          const res = await api.post('/balance/deposit', c.accessToken, { amount: '0.01' });
          expect(res.status).toBe(201);
          n++;
        }
        return n;
      })();
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
        const res = await api.get(
          `/users/${c.userId}/balance/transactions?limit=7${query}`,
          c.accessToken,
        );
        expect(res.status).toBe(200);
        expect(res.body.count).toBe(res.body.transactions.length);
        expect(res.body.total_count).toBe(res.body.count);
        expect(res.body.count).toBeLessThanOrEqual(7);
        seen.push(
          ...res.body.transactions.map((x: { transaction_id: string }) => x.transaction_id),
        );
        cursor = res.body.next_cursor;
        expect(res.body.has_more).toBe(cursor !== null);
        pages++;
      } while (cursor);
      writing = false;
      const written = await writer;

      expect(written).toBeGreaterThan(0);
      expect(new Set(seen).size).toBe(seen.length);
      for (const id of before) expect(seen).toContain(id);
      expect([...seen].sort().reverse()).toEqual(seen); // newest first, strictly
      expect(pages).toBeGreaterThanOrEqual(18);
    });

    it('serves the compatibility route with limit and offset, and filters by type and status', async () => {
      const c = await createCustomer(t.http);
      for (let i = 1; i <= 5; i++) await api.post('/balance/deposit', c.accessToken, { amount: i });
      await api.post('/balance/withdraw', c.accessToken, { amount: 1 });
      const all = await api.get('/balance/transactions?limit=50&offset=0', c.accessToken);
      expect(all.body).toMatchObject({
        count: 6,
        total_count: 6,
        has_more: false,
        next_cursor: null,
      });
      expect(all.body.transactions.map((x: { amount: string }) => x.amount)).toEqual([
        '-1.00',
        '5.00',
        '4.00',
        '3.00',
        '2.00',
        '1.00',
      ]);
      for (const tx of all.body.transactions) {
        expect(tx.amount).toMatch(MONEY);
        expect(tx.balance_after).toMatch(MONEY);
        expect(Object.keys(tx).sort()).toEqual([
          'amount',
          'asset',
          'balance_after',
          'created_at',
          'description',
          'hold_expires_at',
          'reference_id',
          'status',
          'transaction_id',
          'transaction_type',
          'updated_at',
        ]);
      }
      const offset = await api.get('/balance/transactions?limit=2&offset=2', c.accessToken);
      expect(offset.body.transactions.map((x: { amount: string }) => x.amount)).toEqual([
        '4.00',
        '3.00',
      ]);
      expect(offset.body.has_more).toBe(true);
      const deposits = await api.get('/balance/transactions?type=deposit', c.accessToken);
      expect(deposits.body.count).toBe(5);
      const withdrawals = await api.get(
        '/users/me/balance/transactions?type=withdraw&status=completed',
        c.accessToken,
      );
      expect(withdrawals.body.count).toBe(1);
      expect(
        (await api.get('/balance/transactions?status=pending', c.accessToken)).body.count,
      ).toBe(0);
    });

    it('rejects bad, tampered and foreign cursors and bad parameters with 422', async () => {
      const c = await createCustomer(t.http);
      for (let i = 1; i <= 3; i++) await api.post('/balance/deposit', c.accessToken, { amount: i });
      const first = await api.get('/balance/transactions?limit=1', c.accessToken);
      const cursor: string = first.body.next_cursor;
      expect(typeof cursor).toBe('string');
      const tampered = cursor.slice(0, -2) + (cursor.endsWith('AA') ? 'BB' : 'AA');
      for (const bad of [tampered, 'garbage', `${cursor}x`]) {
        const res = await api.get(
          `/balance/transactions?cursor=${encodeURIComponent(bad)}`,
          c.accessToken,
        );
        expect(res.status).toBe(422);
        expect(res.body.errors[0].field).toBe('cursor');
      }
      // Bob cannot use Alice-style cursors against his own history, nor see her items through one.
      const foreign = await api.get(
        `/balance/transactions?cursor=${encodeURIComponent(cursor)}`,
        bob.accessToken,
      );
      expectProblem(foreign, 422, 'validation_failed');
      expect(foreign.body.errors.map((e: { field: string }) => e.field)).toEqual(['cursor']);
      for (const query of [
        'limit=0',
        'limit=101',
        'limit=abc',
        'limit=1.5',
        'type=gift',
        'status=done',
        'offset=-1',
        'page=2',
      ]) {
        const res = await api.get(`/balance/transactions?${query}`, c.accessToken);
        expect(res.status).toBe(422);
        expect(res.body.code).toBe('validation_failed');
      }
    });
  });

  describe('reconciliation, metrics, audit and docs', () => {
    it('lets only an admin reconcile a user', async () => {
      const c = await createCustomer(t.http);
      expect((await api.post('/balance/deposit', c.accessToken, { amount: '1.00' })).status).toBe(
        201,
      );
      expect((await api.post('/balance/withdraw', c.accessToken, { amount: '0.25' })).status).toBe(
        201,
      );
      const ok = await api.get(`/internal/users/${c.userId}/reconcile`, admin);
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({
        user_id: c.userId,
        ok: true,
        mismatches: [],
        transaction_count: 2,
      });
      expectProblem(
        await api.get(`/internal/users/${c.userId}/reconcile`, c.accessToken),
        403,
        'forbidden',
      );
      const none = await api.get(
        '/internal/users/00000000-0000-4000-8000-000000000000/reconcile',
        admin,
      );
      expectProblem(none, 404, 'not_found');
    });

    it('counts operations in balance_operations_total and writes one audit line per movement', async () => {
      const watched = [
        'balance_operations_total{operation="deposit",result="success"}',
        'balance_operations_total{operation="withdraw",result="insufficient_funds"}',
      ];
      const before = (await api.call('GET', '/metrics')).text;
      const res = await api.post(
        '/balance/deposit',
        alice.accessToken,
        { amount: '3.21' },
        {
          'X-Request-ID': 'audit-check-1',
        },
      );
      expect(res.status).toBe(201);
      const broke = await createCustomer(t.http);
      const refused = await api.post('/balance/withdraw', broke.accessToken, { amount: '1.00' });
      expectProblem(refused, 422, 'insufficient_funds');
      const after = (await api.call('GET', '/metrics')).text;
      expect(watched.map((m) => metricValue(after, m) - metricValue(before, m))).toEqual([1, 1]);
      const audit = t.logs.lines
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((l) => l.event === 'balance.money_movement' && l.request_id === 'audit-check-1');
      expect(audit).toEqual([
        expect.objectContaining({
          user_id: alice.userId,
          amount: '3.21',
          transaction_id: res.body.transaction_id,
          operation: 'deposit',
        }),
      ]);
    });

    it('documents every balance route with bearer auth and problem responses', async () => {
      const doc = (await api.call('GET', '/docs-json')).body;
      for (const [path, method] of [
        ['/users/{user_id}/balance', 'get'],
        ['/balance', 'get'],
        ['/users/{user_id}/balance/deposit', 'post'],
        ['/balance/deposit', 'post'],
        ['/users/{user_id}/balance/withdraw', 'post'],
        ['/balance/withdraw', 'post'],
        ['/users/{user_id}/balance/transactions', 'get'],
        ['/balance/transactions', 'get'],
        ['/internal/users/{user_id}/reconcile', 'get'],
      ]) {
        expect(doc.paths[path]?.[method]?.security).toEqual([{ bearer: [] }]);
      }
      const deposit = doc.paths['/users/{user_id}/balance/deposit'].post;
      expect(Object.keys(deposit.responses['422'].content)).toEqual(['application/problem+json']);
      expect(Object.keys(deposit.responses['201'].content)).toEqual(['application/json']);
      expect(deposit.parameters.map((p: { name: string }) => p.name)).toEqual(
        expect.arrayContaining(['user_id', 'Idempotency-Key']),
      );
      const compat = doc.paths['/balance/deposit'].post;
      expect(compat.parameters.map((p: { name: string }) => p.name)).not.toContain('user_id');
    });
  });
});
