import { InventoryServer } from './utils/inventory-server';
import { Api, listen } from './utils/ledger-http';
import { expectProblem } from './utils/problems';
import { startTestApp, TestApp } from './utils/test-app';
import { createAdminToken, createCustomer, createServiceToken, Customer } from './utils/users';

/** Review of the order integration (issue 7): races, replays, hostile bodies and paths. */
describe('order integration review (HTTP, DynamoDB Local)', () => {
  let t: TestApp;
  let api: Api;
  let service: string;
  let admin: string;
  let seq = 0;
  const orderId = () => `rv-${process.pid}-${++seq}`;

  beforeAll(async () => {
    t = await startTestApp('orders-review');
    api = await listen(t);
    service = createServiceToken(t);
    admin = await createAdminToken(t);
  });
  afterAll(async () => {
    await t.close();
  });

  async function funded(amount: string): Promise<Customer> {
    const c = await createCustomer(t.http);
    const res = await api.post(`/users/${c.userId}/balance/deposit`, c.accessToken, { amount });
    expect(res.status).toBe(201);
    return c;
  }
  const balanceOf = async (c: Customer) =>
    (await api.get(`/users/${c.userId}/balance`, service)).body;
  const hold = (c: Customer, body: unknown) =>
    api.post(`/internal/users/${c.userId}/balance/holds`, service, body);
  const complete = (c: Customer, txId: string, body: unknown = {}) =>
    api.post(`/internal/users/${c.userId}/transactions/${txId}/complete`, service, body);
  const cancel = (c: Customer, txId: string) =>
    api.post(`/internal/users/${c.userId}/transactions/${txId}/cancel`, service, {});
  const sell = (c: Customer, body: unknown) =>
    api.post(`/internal/users/${c.userId}/trades/sell`, service, body);
  const reconcile = async (c: Customer) =>
    (await api.get(`/internal/users/${c.userId}/reconcile`, admin)).body;

  it('a JSON number quantity of 0.00000001 (shortest form 1e-8) is accepted on complete and sell', async () => {
    const c = await funded('10.00');
    const held = await hold(c, { amount: '1.00', order_id: orderId() });
    const done = await api.call(
      'POST',
      `/internal/users/${c.userId}/transactions/${held.body.transaction.transaction_id}/complete`,
      { token: service, rawBody: '{"asset":{"asset_id":"SAT","quantity":0.00000002}}' },
    );
    expect(done.status).toBe(200);
    expect(done.body.transaction.asset).toEqual({ asset_id: 'SAT', quantity: '0.00000002' });
    const sold = await api.call('POST', `/internal/users/${c.userId}/trades/sell`, {
      token: service,
      rawBody: `{"order_id":"${orderId()}","asset_id":"SAT","quantity":0.00000001,"proceeds":"0.01"}`,
    });
    expect(sold.status).toBe(201);
    expect(sold.body.transaction.asset).toEqual({ asset_id: 'SAT', quantity: '-0.00000001' });
    expect(await reconcile(c)).toMatchObject({ ok: true });
  });

  it('hostile bodies on every order route: 4xx, never 500', async () => {
    const c = await funded('10.00');
    const txId = (await hold(c, { amount: '1.00', order_id: orderId() })).body.transaction
      .transaction_id;
    const bodies = [
      '[]',
      '[{"amount":"1.00","order_id":"x"}]',
      '"x"',
      '5',
      'null',
      'true',
      '{"__proto__":{"amount":"1.00","order_id":"p1"}}',
      '{"constructor":{"prototype":{"x":1}}}',
      '{"amount":1e400,"order_id":"x"}',
      '{"amount":"1.00","order_id":"x","expires_in_seconds":1e308}',
      '{"asset":[]}',
      '{"asset":{"asset_id":"BTC","quantity":1e21}}',
      '{"asset":{"asset_id":"BTC","quantity":{"units":1}}}',
      '{"amount":{"cents":100}}',
      '{"quantity":{"units":1},"proceeds":{"cents":1},"order_id":"q","asset_id":"BTC"}',
      `{"order_id":"${'x'.repeat(5000)}","amount":"1.00"}`,
    ];
    const paths = [
      `/internal/users/${c.userId}/balance/holds`,
      `/internal/users/${c.userId}/transactions/${txId}/complete`,
      `/internal/users/${c.userId}/transactions/${txId}/cancel`,
      `/internal/users/${c.userId}/trades/sell`,
    ];
    for (const path of paths) {
      for (const rawBody of bodies) {
        const res = await api.call('POST', path, { token: service, rawBody });
        if (res.status >= 500) throw new Error(`${path} ${rawBody} → ${res.status} ${res.text}`);
      }
    }
    expect(await reconcile(c)).toMatchObject({ ok: true });
  });

  it("user A's transaction id under user B's path is 404 and leaves A's hold pending", async () => {
    const a = await funded('10.00');
    const b = await funded('10.00');
    const txId = (await hold(a, { amount: '4.00', order_id: orderId() })).body.transaction
      .transaction_id;
    expectProblem(await complete(b, txId, {}), 404, 'not_found');
    expectProblem(await cancel(b, txId), 404, 'not_found');
    expect(await balanceOf(a)).toMatchObject({ held_balance: '4.00', current_balance: '10.00' });
    expect(await balanceOf(b)).toMatchObject({ held_balance: '0.00', current_balance: '10.00' });
  });

  it('an order_id is one order: hold then sell (and sell then hold) with it → 422', async () => {
    const c = await funded('10.00');
    const h = await hold(c, { amount: '1.00', order_id: 'shared-1' });
    await complete(c, h.body.transaction.transaction_id, {
      asset: { asset_id: 'ETH', quantity: '1' },
    });
    const s = await sell(c, {
      order_id: 'shared-1',
      asset_id: 'ETH',
      quantity: '1',
      proceeds: '1.00',
    });
    expect(s.status).toBe(422);
    expect(s.body.code).toBe('idempotency_key_reused');
    const s2 = await sell(c, {
      order_id: 'shared-2',
      asset_id: 'ETH',
      quantity: '0.5',
      proceeds: '1.00',
    });
    expect(s2.status).toBe(201);
    const h2 = await hold(c, { amount: '1.00', order_id: 'shared-2' });
    expect(h2.status).toBe(422);
    expect(h2.body.code).toBe('idempotency_key_reused');
  });

  it('12 parallel identical holds (one order_id): one transaction, all 201, 11 replayed', async () => {
    const c = await funded('100.00');
    const order = orderId();
    const results = await Promise.all(
      Array.from({ length: 12 }, () => hold(c, { amount: '7.00', order_id: order })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(12).fill(201));
    expect(new Set(results.map((r) => r.body.transaction.transaction_id)).size).toBe(1);
    expect(results.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(11);
    expect(await balanceOf(c)).toMatchObject({ held_balance: '7.00' });
    expect(await reconcile(c)).toMatchObject({ ok: true });
  });

  it('12 parallel identical sells (one order_id) of the whole holding: one applies, all 201', async () => {
    const c = await funded('100.00');
    const h = await hold(c, { amount: '1.00', order_id: orderId() });
    await complete(c, h.body.transaction.transaction_id, {
      asset: { asset_id: 'DOT', quantity: '3' },
    });
    const order = orderId();
    const results = await Promise.all(
      Array.from({ length: 12 }, () =>
        sell(c, { order_id: order, asset_id: 'DOT', quantity: '3', proceeds: '5.00' }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(12).fill(201));
    expect(new Set(results.map((r) => r.body.transaction.transaction_id)).size).toBe(1);
    expect(await balanceOf(c)).toMatchObject({ current_balance: '104.00' });
    expect(await reconcile(c)).toMatchObject({ ok: true });
  });

  it('identical holds racing: a twin that reads the balance after the winner but the order before it is still a replay, never 422', async () => {
    const statuses: number[] = [];
    for (let round = 0; round < 8; round++) {
      const c = await funded('10.00');
      const order = orderId();
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          new Promise((r) => setTimeout(r, i % 3)).then(() =>
            hold(c, { amount: '7.00', order_id: order }),
          ),
        ),
      );
      statuses.push(...results.map((r) => r.status));
    }
    expect(statuses.filter((s) => s !== 201)).toEqual([]);
  });

  it('identical sells racing: a twin that reads the holding after the winner but the order before it is still a replay, never 422', async () => {
    const statuses: number[] = [];
    for (let round = 0; round < 8; round++) {
      const c = await funded('10.00');
      const h = await hold(c, { amount: '1.00', order_id: orderId() });
      await complete(c, h.body.transaction.transaction_id, {
        asset: { asset_id: 'ADA', quantity: '2' },
      });
      const order = orderId();
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          new Promise((r) => setTimeout(r, i % 3)).then(() =>
            sell(c, { order_id: order, asset_id: 'ADA', quantity: '2', proceeds: '3.00' }),
          ),
        ),
      );
      statuses.push(...results.map((r) => r.status));
    }
    expect(statuses.filter((s) => s !== 201)).toEqual([]);
  });

  it('a mix of holds, completes, cancels, sells, deposits and withdrawals on one user reconciles exactly', async () => {
    const c = await funded('500.00');
    const holds = await Promise.all(
      Array.from({ length: 6 }, () => hold(c, { amount: '10.00', order_id: orderId() })),
    );
    const ids = holds.map((h) => h.body.transaction.transaction_id as string);
    const ops = [
      complete(c, ids[0], { amount: '9.99', asset: { asset_id: 'SOL', quantity: '2' } }),
      complete(c, ids[1], { asset: { asset_id: 'SOL', quantity: '1.5' } }),
      cancel(c, ids[2]),
      cancel(c, ids[3]),
      complete(c, ids[4], { amount: '0.01' }),
      cancel(c, ids[4]),
      complete(c, ids[5]),
      cancel(c, ids[5]),
      api.post(`/users/${c.userId}/balance/deposit`, c.accessToken, { amount: '3.00' }),
      api.post(`/users/${c.userId}/balance/withdraw`, c.accessToken, { amount: '2.00' }),
      hold(c, { amount: '1.00', order_id: orderId() }),
    ];
    const res = await Promise.all(ops);
    for (const r of res) expect([200, 201, 409]).toContain(r.status);
    const s = await sell(c, {
      order_id: orderId(),
      asset_id: 'SOL',
      quantity: '3.5',
      proceeds: '7.00',
    });
    expect(s.status).toBe(201);
    const report = await reconcile(c);
    expect(report).toMatchObject({ ok: true, mismatches: [] });
  });
});

describe('portfolio review: a price the client accepts times a holding the ledger allows', () => {
  let inventory: InventoryServer;
  let t: TestApp;
  let api: Api;
  let service: string;

  beforeAll(async () => {
    inventory = new InventoryServer();
    await inventory.start();
    inventory.prices.set('BIG', 1e12); // the largest price_usd the client accepts
    t = await startTestApp('portfolio-review', { INVENTORY_SERVICE_URL: inventory.url });
    api = await listen(t);
    service = createServiceToken(t);
  });
  afterAll(async () => {
    await t.close();
    await inventory.stop();
  });

  it('100 units at 1e12 USD: 200 with the exact value (was a RangeError → 500)', async () => {
    const c = await createCustomer(t.http);
    expect((await api.post('/balance/deposit', c.accessToken, { amount: '10.00' })).status).toBe(
      201,
    );
    const held = await api.post(`/internal/users/${c.userId}/balance/holds`, service, {
      amount: '1.00',
      order_id: `big-${process.pid}`,
    });
    const done = await api.post(
      `/internal/users/${c.userId}/transactions/${held.body.transaction.transaction_id}/complete`,
      service,
      { asset: { asset_id: 'BIG', quantity: '100' } },
    );
    expect(done.status).toBe(200);
    const res = await api.get('/portfolio', c.accessToken);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      cash_balance: '9.00',
      total_asset_value: '100000000000000.00',
      total_value: '100000000000009.00',
      pricing_status: 'ok',
      assets: [
        expect.objectContaining({
          asset_id: 'BIG',
          quantity: '100',
          current_price: '1000000000000.00',
          market_value: '100000000000000.00',
        }),
      ],
    });
  });
});
