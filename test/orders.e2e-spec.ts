import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Api, listen, runPool } from './utils/ledger-http';
import { orderRoutes } from './utils/orders-http';
import { expectProblem, PROBLEM_JSON } from './utils/problems';
import { startTestApp, TEST_JWT_SECRET, TestApp } from './utils/test-app';
import { createAdminToken, createServiceToken, Customer } from './utils/users';

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

describe('order integration: holds, completion, cancellation, expiry, sells (HTTP, DynamoDB Local)', () => {
  let t: TestApp;
  let api: Api;
  let service: string;
  let admin: string;
  let orderSeq = 0;
  const orderId = () => `ord-${process.pid}-${++orderSeq}`;

  beforeAll(async () => {
    t = await startTestApp('orders');
    api = await listen(t);
    service = createServiceToken(t);
    admin = await createAdminToken(t);
  });
  afterAll(async () => {
    await t.close();
  });

  const routes = () => orderRoutes(t, api, service);
  const funded = (amount: string) => routes().funded(amount);
  const balanceOf = (c: Customer) => routes().balanceOf(c);
  const hold = (c: Customer, body: Record<string, unknown>, token = service) =>
    routes().hold(c, body, token);
  const complete = (c: Customer, txId: string, body: unknown = {}, token = service) =>
    routes().complete(c, txId, body, token);
  const cancel = (c: Customer, txId: string, token = service) => routes().cancel(c, txId, token);
  const sell = (c: Customer, body: Record<string, unknown>, token = service) =>
    routes().sell(c, body, token);
  const reconcile = async (c: Customer) => {
    const res = await api.get(`/internal/users/${c.userId}/reconcile`, admin);
    expect(res.status).toBe(200);
    return res.body;
  };
  const holding = (c: Customer, asset: string) => api.get(`/balance/asset/${asset}`, c.accessToken);

  it('buys: hold 250.00 of 1,000.00, complete 240.00 with 0.5 BTC → 760.00, nothing held, 0.5 BTC', async () => {
    const c = await funded('1000.00');
    const order = orderId();
    const held = await hold(c, { amount: '250.00', order_id: order });
    expect(held.status).toBe(201);
    expect(held.body.transaction).toMatchObject({
      transaction_type: 'order_payment',
      status: 'pending',
      amount: '-250.00',
      reference_id: order,
      balance_after: '1000.00',
      asset: null,
      hold_expires_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    expect(held.body.transaction.transaction_id).toMatch(ULID);
    const expiresIn =
      Date.parse(held.body.transaction.hold_expires_at) -
      Date.parse(held.body.transaction.created_at);
    expect(expiresIn).toBe(900_000);
    expect(held.body.balance).toMatchObject({
      current_balance: '1000.00',
      available_balance: '750.00',
      held_balance: '250.00',
    });

    const txId = held.body.transaction.transaction_id;
    const done = await complete(c, txId, {
      amount: '240.00',
      asset: { asset_id: 'BTC', quantity: '0.5' },
    });
    expect(done.status).toBe(200);
    expect(done.body.transaction).toMatchObject({
      transaction_id: txId,
      status: 'completed',
      amount: '-240.00',
      balance_after: '760.00',
      asset: { asset_id: 'BTC', quantity: '0.5' },
      hold_expires_at: null,
    });
    expect(done.body.balance).toMatchObject({
      current_balance: '760.00',
      available_balance: '760.00',
      held_balance: '0.00',
    });
    expect(await balanceOf(c)).toMatchObject({ current_balance: '760.00', held_balance: '0.00' });
    expect((await holding(c, 'BTC')).body).toMatchObject({
      user_id: c.userId,
      asset_id: 'BTC',
      quantity: '0.5',
    });
    const history = await api.get('/balance/transactions', c.accessToken);
    expect(
      history.body.transactions.map((x: { amount: string; status: string }) => [
        x.amount,
        x.status,
      ]),
    ).toEqual([
      ['-240.00', 'completed'],
      ['1000.00', 'completed'],
    ]);
    expect(await reconcile(c)).toMatchObject({ ok: true, mismatches: [] });
  });

  it('completes the whole hold when no amount is given, and refuses more than held (422)', async () => {
    const c = await funded('100.00');
    const txId = (await hold(c, { amount: 40, order_id: orderId() })).body.transaction
      .transaction_id;
    const tooMuch = await complete(c, txId, { amount: '40.01' });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.code).toBe('amount_exceeds_hold');
    expect(await balanceOf(c)).toMatchObject({ current_balance: '100.00', held_balance: '40.00' });
    const done = await complete(c, txId);
    expect(done.status).toBe(200);
    expect(done.body.transaction).toMatchObject({ amount: '-40.00', balance_after: '60.00' });
    expect(done.body.balance).toMatchObject({ current_balance: '60.00', held_balance: '0.00' });
  });

  it('resolves a pending transaction at most once: second complete or cancel → 409 transaction_not_pending', async () => {
    const c = await funded('100.00');
    const txId = (await hold(c, { amount: '10.00', order_id: orderId() })).body.transaction
      .transaction_id;
    const cancelled = await cancel(c, txId);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.transaction).toMatchObject({ status: 'cancelled', amount: '-10.00' });
    expect(cancelled.body.balance).toMatchObject({
      available_balance: '100.00',
      held_balance: '0.00',
    });
    for (const again of [await cancel(c, txId), await complete(c, txId)]) {
      expect(again.status).toBe(409);
      expect(again.headers.get('content-type')).toMatch(PROBLEM_JSON);
      expect(again.body.code).toBe('transaction_not_pending');
    }
    expect(await balanceOf(c)).toMatchObject({ current_balance: '100.00', held_balance: '0.00' });
    expect(await reconcile(c)).toMatchObject({ ok: true });
  });

  it('is idempotent on order_id: a repeat returns the same transaction, another amount → 422', async () => {
    const c = await funded('500.00');
    const order = orderId();
    const first = await hold(c, { amount: '100.00', order_id: order });
    const again = await hold(c, { amount: 100, order_id: order });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.transaction.transaction_id).toBe(first.body.transaction.transaction_id);
    const reused = await hold(c, { amount: '100.01', order_id: order });
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('idempotency_key_reused');
    expect(await balanceOf(c)).toMatchObject({
      held_balance: '100.00',
      available_balance: '400.00',
    });

    const twins = await Promise.all(
      Array.from({ length: 8 }, () => hold(c, { amount: '50.00', order_id: `${order}-twin` })),
    );
    expect(twins.map((r) => r.status)).toEqual(Array(8).fill(201));
    expect(new Set(twins.map((r) => r.body.transaction.transaction_id)).size).toBe(1);
    expect(await balanceOf(c)).toMatchObject({ held_balance: '150.00' });
    expect(await reconcile(c)).toMatchObject({ ok: true });
  });

  it('refuses a hold beyond the available balance (422 insufficient_funds) and writes nothing', async () => {
    const c = await funded('10.00');
    const res = await hold(c, { amount: '10.01', order_id: orderId() });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('insufficient_funds');
    const history = await api.get('/balance/transactions', c.accessToken);
    expect(history.body.count).toBe(1);
    expect(await balanceOf(c)).toMatchObject({ current_balance: '10.00', held_balance: '0.00' });
  });

  it('30 parallel holds of 100.00 against 1,000.00: exactly 10 succeed, withdrawals respect holds', async () => {
    const c = await funded('1000.00');
    const results = await runPool(
      30,
      Array.from({ length: 30 }, () => () => hold(c, { amount: '100.00', order_id: orderId() })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s === 422)).toHaveLength(20);
    for (const r of results.filter((x) => x.status === 422))
      expect(r.body.code).toBe('insufficient_funds');
    expect(await balanceOf(c)).toMatchObject({
      current_balance: '1000.00',
      available_balance: '0.00',
      held_balance: '1000.00',
    });
    const withdraw = await api.post('/balance/withdraw', c.accessToken, { amount: '1.00' });
    expect(withdraw.status).toBe(422);
    expect(withdraw.body.code).toBe('insufficient_funds');
    expect(await reconcile(c)).toMatchObject({ ok: true, computed: { held_balance: '1000.00' } });
  });

  it('complete and cancel racing on one hold: exactly one wins, the other gets 409', async () => {
    const c = await funded('1000.00');
    for (let round = 0; round < 6; round++) {
      const txId = (await hold(c, { amount: '20.00', order_id: orderId() })).body.transaction
        .transaction_id;
      const [a, b] = await Promise.all([
        complete(c, txId, { amount: '15.00', asset: { asset_id: 'ETH', quantity: 1 } }),
        cancel(c, txId),
      ]);
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      expect((a.status === 409 ? a : b).body.code).toBe('transaction_not_pending');
    }
    const report = await reconcile(c);
    expect(report).toMatchObject({ ok: true, computed: { held_balance: '0.00' } });
  });

  it('expired holds are released by POST /internal/holds/release-expired, exactly once against a racing complete', async () => {
    const c = await funded('100.00');
    const holds = await Promise.all(
      [1, 2, 3, 4].map(() =>
        hold(c, { amount: '10.00', order_id: orderId(), expires_in_seconds: 1 }),
      ),
    );
    const keep = await hold(c, { amount: '5.00', order_id: orderId(), expires_in_seconds: 3600 });
    const ids = holds.map((h) => h.body.transaction.transaction_id as string);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    // Two of them race a completion against the release.
    const [release, done1, done2] = await Promise.all([
      api.post('/internal/holds/release-expired', service, {}),
      complete(c, ids[0], { amount: '10.00' }),
      complete(c, ids[1], { amount: '10.00' }),
    ]);
    expect(release.status).toBe(200);
    const completed = [done1, done2].filter((r) => r.status === 200).length;
    for (const r of [done1, done2]) expect([200, 409]).toContain(r.status);
    const again = await api.post('/internal/holds/release-expired', admin, {});
    expect(release.body.released + again.body.released + completed).toBe(4);
    expect(again.body.released).toBeLessThanOrEqual(4 - completed);
    const byId = new Map<string, { status: string; cancel?: string }>();
    const history = await api.get('/balance/transactions?limit=100', c.accessToken);
    for (const tx of history.body.transactions) byId.set(tx.transaction_id, tx);
    expect(ids.map((id) => byId.get(id)?.status).filter((s) => s === 'cancelled')).toHaveLength(
      4 - completed,
    );
    expect(byId.get(keep.body.transaction.transaction_id)?.status).toBe('pending');
    expect(await balanceOf(c)).toMatchObject({ held_balance: '5.00' });
    expect(await reconcile(c)).toMatchObject({ ok: true });
    const empty = await api.post('/internal/holds/release-expired', service, {});
    expect(empty.body).toEqual({ examined: 0, released: 0 });
  });

  it('npm run holds:release-expired releases expired holds and prints a JSON summary', async () => {
    const c = await funded('50.00');
    await hold(c, { amount: '7.00', order_id: orderId(), expires_in_seconds: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const run = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const root = join(__dirname, '..');
      execFile(
        process.execPath,
        [
          '-r',
          'ts-node/register/transpile-only',
          join(root, 'src/balance/orders/release-expired.cli.ts'),
        ],
        {
          cwd: root,
          timeout: 60_000,
          env: {
            PATH: process.env.PATH ?? '',
            NODE_ENV: 'test',
            DYNAMODB_ENDPOINT: t.config.dynamodb.endpoint!,
            DYNAMODB_TABLE_NAME: t.config.dynamodb.tableName,
            JWT_SECRET_KEY: TEST_JWT_SECRET,
            LOG_LEVEL: 'warn',
          },
        },
        (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
      );
    });
    expect(run.stderr).not.toMatch(/holds:release-expired:|"level":(50|60)/);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}');
    expect(summary).toMatchObject({ ok: true });
    expect(summary.released).toBeGreaterThanOrEqual(1);
    expect(await balanceOf(c)).toMatchObject({ held_balance: '0.00', available_balance: '50.00' });
  });

  it('sells: 0.2 of 0.5 BTC for 100.00 → 0.3 BTC and +100.00; selling 1 BTC → 422, nothing changed', async () => {
    const c = await funded('1000.00');
    const txId = (await hold(c, { amount: '250.00', order_id: orderId() })).body.transaction
      .transaction_id;
    await complete(c, txId, { amount: '240.00', asset: { asset_id: 'BTC', quantity: '0.5' } });
    const order = orderId();
    const sold = await sell(c, {
      order_id: order,
      asset_id: 'BTC',
      quantity: '0.2',
      proceeds: '100.00',
    });
    expect(sold.status).toBe(201);
    expect(sold.body.transaction).toMatchObject({
      transaction_type: 'order_sale',
      status: 'completed',
      amount: '100.00',
      balance_after: '860.00',
      reference_id: order,
      asset: { asset_id: 'BTC', quantity: '-0.2' },
    });
    expect(sold.body.balance).toMatchObject({
      current_balance: '860.00',
      available_balance: '860.00',
    });
    expect((await holding(c, 'BTC')).body.quantity).toBe('0.3');

    const replay = await sell(c, {
      order_id: order,
      asset_id: 'BTC',
      quantity: 0.2,
      proceeds: 100,
    });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body.transaction.transaction_id).toBe(sold.body.transaction.transaction_id);

    const tooMuch = await sell(c, {
      order_id: orderId(),
      asset_id: 'BTC',
      quantity: '1',
      proceeds: '500.00',
    });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.code).toBe('insufficient_holdings');
    const unknownAsset = await sell(c, {
      order_id: orderId(),
      asset_id: 'DOGE',
      quantity: '1',
      proceeds: '1.00',
    });
    expect(unknownAsset.body.code).toBe('insufficient_holdings');
    expect((await holding(c, 'BTC')).body.quantity).toBe('0.3');
    expect(await balanceOf(c)).toMatchObject({ current_balance: '860.00' });
    expectProblem(await holding(c, 'DOGE'), 404, 'not_found');
    expect(await reconcile(c)).toMatchObject({ ok: true });
  });

  it('parallel sells never take more than is held', async () => {
    const c = await funded('100.00');
    const txId = (await hold(c, { amount: '10.00', order_id: orderId() })).body.transaction
      .transaction_id;
    await complete(c, txId, { asset: { asset_id: 'SOL', quantity: '1' } });
    const sells = await Promise.all(
      Array.from({ length: 12 }, () =>
        sell(c, { order_id: orderId(), asset_id: 'SOL', quantity: '0.25', proceeds: '1.00' }),
      ),
    );
    expect(sells.filter((r) => r.status === 201)).toHaveLength(4);
    expect(
      sells.filter((r) => r.status === 422).every((r) => r.body.code === 'insufficient_holdings'),
    ).toBe(true);
    expectProblem(await holding(c, 'SOL'), 404, 'not_found');
    expect(await balanceOf(c)).toMatchObject({ current_balance: '94.00' });
    expect(await reconcile(c)).toMatchObject({ ok: true });
  });

  it('reconcile reports a holding that no trade explains', async () => {
    const c = await funded('10.00');
    await t.ddb.putItem({
      TableName: t.config.dynamodb.tableName,
      Item: {
        PK: { S: c.userId },
        SK: { S: 'ASSET#XRP' },
        entity: { S: 'holding' },
        user_id: { S: c.userId },
        asset_id: { S: 'XRP' },
        quantity_units: { N: '5' },
        updated_at: { S: new Date().toISOString() },
      },
    });
    const report = await reconcile(c);
    expect(report.ok).toBe(false);
    expect(report.mismatches).toEqual([
      expect.objectContaining({ code: 'holding_mismatch', expected: '0', actual: '0.00000005' }),
    ]);
  });

  describe('bad input: 4xx problem+json naming the field, nothing changed', () => {
    let c: Customer;
    let txId: string;
    beforeAll(async () => {
      c = await funded('100.00');
      txId = (await hold(c, { amount: '10.00', order_id: orderId() })).body.transaction
        .transaction_id;
    });

    it.each([
      [{ amount: '0', order_id: 'o-1' }, 'amount'],
      [{ amount: '1.001', order_id: 'o-1' }, 'amount'],
      [{ amount: '10.00' }, 'order_id'],
      [{ amount: '10.00', order_id: 'bad id with spaces' }, 'order_id'],
      [{ amount: '10.00', order_id: 'x'.repeat(129) }, 'order_id'],
      [{ amount: '10.00', order_id: 'o-1', expires_in_seconds: 0 }, 'expires_in_seconds'],
      [{ amount: '10.00', order_id: 'o-1', expires_in_seconds: 1.5 }, 'expires_in_seconds'],
      [{ amount: '10.00', order_id: 'o-1', extra: true }, 'extra'],
    ])('hold %j → 422 naming %s', async (body, field) => {
      const res = await hold(c, body);
      expect(res.status).toBe(422);
      expect(res.headers.get('content-type')).toMatch(PROBLEM_JSON);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it.each([
      [{ asset: { asset_id: 'BTC', quantity: '0.000000001' } }, 'asset.quantity'],
      [{ asset: { asset_id: 'BTC', quantity: '-1' } }, 'asset.quantity'],
      [{ asset: { asset_id: 'BTC' } }, 'asset.quantity'],
      [{ asset: { asset_id: '../x', quantity: '1' } }, 'asset.asset_id'],
      [{ asset: 'BTC' }, 'asset'],
      [{ amount: 'ten' }, 'amount'],
    ])('complete %j → 422 naming %s', async (body, field) => {
      const res = await complete(c, txId, body);
      expect(res.status).toBe(422);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it.each([
      [{ order_id: 'o', asset_id: 'BTC', quantity: '1e2', proceeds: '1.00' }, 'quantity'],
      [{ order_id: 'o', asset_id: 'BTC', quantity: '1', proceeds: '-1.00' }, 'proceeds'],
      [{ order_id: 'o', asset_id: '', quantity: '1', proceeds: '1.00' }, 'asset_id'],
    ])('sell %j → 422 naming %s', async (body, field) => {
      const res = await sell(c, body);
      expect(res.status).toBe(422);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it('unknown, malformed or non-hold transaction ids → 404', async () => {
      const deposit = (
        await api.get('/balance/transactions', c.accessToken)
      ).body.transactions.find(
        (x: { transaction_type: string }) => x.transaction_type === 'deposit',
      );
      for (const id of [
        '01ARZ3NDEKTSV4RRFFQ69G5FAV',
        'not-a-ulid',
        'TX%23x',
        deposit.transaction_id,
      ]) {
        const res = await complete(c, id);
        expect(res.status).toBe(404);
        expect(res.body.code).toBe('not_found');
      }
    });

    afterAll(async () => {
      expect(await balanceOf(c)).toMatchObject({
        current_balance: '100.00',
        held_balance: '10.00',
      });
      expect(await reconcile(c)).toMatchObject({ ok: true });
    });
  });

  describe('who may call what', () => {
    let c: Customer;
    let other: Customer;
    let txId: string;
    beforeAll(async () => {
      c = await funded('100.00');
      other = await funded('100.00');
      txId = (await hold(c, { amount: '1.00', order_id: orderId() })).body.transaction
        .transaction_id;
    });

    const internalCalls = (): Array<[string, string, unknown]> => [
      ['POST', `/internal/users/${c.userId}/balance/holds`, { amount: '1.00', order_id: 'x-1' }],
      ['POST', `/internal/users/${c.userId}/transactions/${txId}/complete`, {}],
      ['POST', `/internal/users/${c.userId}/transactions/${txId}/cancel`, {}],
      [
        'POST',
        `/internal/users/${c.userId}/trades/sell`,
        { order_id: 'x-2', asset_id: 'BTC', quantity: 1, proceeds: 1 },
      ],
      ['POST', '/internal/holds/release-expired', {}],
    ];

    it('a customer token on any /internal route → 403 (even for their own user); no token → 401', async () => {
      for (const [method, path, body] of internalCalls()) {
        for (const token of [c.accessToken, other.accessToken]) {
          const res = await api.call(method, path, { token, body });
          expect([path, res.status, res.body.code]).toEqual([path, 403, 'forbidden']);
        }
        const anonymous = await api.call(method, path, { body });
        expect([path, anonymous.status]).toEqual([path, 401]);
      }
      expect(await balanceOf(c)).toMatchObject({ held_balance: '1.00', current_balance: '100.00' });
    });

    it('a service token reads balances but not profiles, passwords, sessions, portfolios or money movements', async () => {
      expect((await api.get(`/users/${c.userId}/balance`, service)).status).toBe(200);
      const refused: Array<[string, string, unknown?]> = [
        ['GET', `/users/${c.userId}/profile`],
        ['PUT', `/users/${c.userId}/profile`, { first_name: 'X' }],
        ['POST', `/users/${c.userId}/password`, { current_password: 'a', new_password: 'b' }],
        ['GET', `/users/${c.userId}/sessions`],
        ['POST', `/users/${c.userId}/balance/deposit`, { amount: '1.00' }],
        ['POST', `/users/${c.userId}/balance/withdraw`, { amount: '1.00' }],
        ['GET', `/users/${c.userId}/balance/transactions`],
        ['GET', `/users/${c.userId}/portfolio`],
        ['GET', `/users/${c.userId}/holdings/BTC`],
        ['GET', '/portfolio'],
        ['GET', '/balance/asset/BTC'],
        ['GET', `/internal/users/${c.userId}/reconcile`],
      ];
      for (const [method, path, body] of refused) {
        const res = await api.call(method, path, { token: service, body });
        expect([method, path, res.status]).toEqual([method, path, 403]);
      }
      expect(await balanceOf(c)).toMatchObject({ current_balance: '100.00' });
    });

    it('an admin may place and resolve holds for any user', async () => {
      const res = await hold(other, { amount: '2.00', order_id: orderId() }, admin);
      expect(res.status).toBe(201);
      const done = await cancel(other, res.body.transaction.transaction_id, admin);
      expect(done.status).toBe(200);
    });
  });

  it('documents every order route with its bodies and errors in /docs-json', async () => {
    const doc = (await api.call('GET', '/docs-json')).body;
    const ops: Array<[string, string, string[]]> = [
      [
        '/internal/users/{user_id}/balance/holds',
        'post',
        ['201', '401', '403', '404', '422', '503'],
      ],
      [
        '/internal/users/{user_id}/transactions/{transaction_id}/complete',
        'post',
        ['200', '404', '409', '422'],
      ],
      [
        '/internal/users/{user_id}/transactions/{transaction_id}/cancel',
        'post',
        ['200', '404', '409'],
      ],
      ['/internal/users/{user_id}/trades/sell', 'post', ['201', '422']],
      ['/internal/holds/release-expired', 'post', ['200', '403']],
      ['/users/{user_id}/portfolio', 'get', ['200', '403', '404']],
      ['/portfolio', 'get', ['200']],
      ['/balance/asset/{asset_id}', 'get', ['200', '404']],
    ];
    for (const [path, method, statuses] of ops) {
      const op = doc.paths[path]?.[method];
      expect([path, op === undefined]).toEqual([path, false]);
      for (const status of statuses)
        expect([path, status, op.responses[status] !== undefined]).toEqual([path, status, true]);
    }
    for (const path of [
      '/internal/users/{user_id}/balance/holds',
      '/internal/users/{user_id}/trades/sell',
    ])
      expect(Object.keys(doc.paths[path].post.requestBody.content)).toEqual(['application/json']);
  });

  it('counts each order operation in balance_operations_total (before/after deltas)', async () => {
    const count = async (operation: string, result: string) => {
      const text = (await api.call('GET', '/metrics')).text;
      const m = new RegExp(
        `balance_operations_total\\{operation="${operation}",result="${result}"\\} (\\d+)`,
      ).exec(text);
      return m ? Number(m[1]) : 0;
    };
    const watched: Array<[string, string]> = [
      ['hold', 'success'],
      ['hold', 'insufficient_funds'],
      ['complete', 'success'],
      ['complete', 'transaction_not_pending'],
      ['cancel', 'success'],
      ['sell', 'success'],
      ['release_expired', 'success'],
    ];
    const before = await Promise.all(watched.map(([o, r]) => count(o, r)));
    const c = await funded('100.00');
    const a = (await hold(c, { amount: '10.00', order_id: orderId() })).body.transaction;
    const b = (await hold(c, { amount: '10.00', order_id: orderId() })).body.transaction;
    await hold(c, { amount: '1000.00', order_id: orderId() });
    await complete(c, a.transaction_id, { asset: { asset_id: 'BTC', quantity: '1' } });
    await complete(c, a.transaction_id);
    await cancel(c, b.transaction_id);
    await sell(c, { order_id: orderId(), asset_id: 'BTC', quantity: '1', proceeds: '1.00' });
    await hold(c, { amount: '1.00', order_id: orderId(), expires_in_seconds: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await api.post('/internal/holds/release-expired', service, {});
    const after = await Promise.all(watched.map(([o, r]) => count(o, r)));
    const deltas = watched.map(([o, r], i) => [o, r, after[i] - before[i]]);
    expect(deltas).toEqual([
      ['hold', 'success', 3],
      ['hold', 'insufficient_funds', 1],
      ['complete', 'success', 1],
      ['complete', 'transaction_not_pending', 1],
      ['cancel', 'success', 1],
      ['sell', 'success', 1],
      ['release_expired', 'success', expect.any(Number)],
    ]);
    expect(deltas[6][2]).toBeGreaterThanOrEqual(1);
  });

  it('answers 503 (never 500) for every order route when DynamoDB cannot be reached', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as { port: number };
        probe.close(() => resolve(free));
      });
    });
    const down = await startTestApp(
      'orders_down',
      { DYNAMODB_ENDPOINT: `http://127.0.0.1:${port}` },
      undefined,
      { createTable: false },
    );
    try {
      const downApi = await listen(down);
      const token = createServiceToken(down);
      const user = '0b6c2a8e-2f43-4f8e-9d51-0c1f7a3b9e12';
      const tx = '01JNM7Z5X0000000000000000B';
      const calls: Array<[string, unknown]> = [
        [`/internal/users/${user}/balance/holds`, { amount: '1.00', order_id: 'o-1' }],
        [`/internal/users/${user}/transactions/${tx}/complete`, {}],
        [`/internal/users/${user}/transactions/${tx}/cancel`, {}],
        [
          `/internal/users/${user}/trades/sell`,
          { order_id: 'o-2', asset_id: 'BTC', quantity: 1, proceeds: 1 },
        ],
        ['/internal/holds/release-expired', {}],
      ];
      for (const [path, body] of calls) {
        const res = await downApi.post(path, token, body);
        expect([path, res.status, res.body.code]).toEqual([path, 503, 'service_unavailable']);
        expect(res.headers.get('retry-after')).toBe('1');
      }
    } finally {
      await down.close({ dropTable: false });
    }
  });
});
