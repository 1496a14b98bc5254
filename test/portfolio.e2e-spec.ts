import { Api, listen } from './utils/ledger-http';
import { expectProblem } from './utils/problems';
import { InventoryServer } from './utils/inventory-server';
import { startTestApp, TestApp } from './utils/test-app';
import { createCustomer, createServiceToken, Customer } from './utils/users';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** "12.34" → 1234, string arithmetic only. */
const bp = (text: string) => Number(text.replace('.', ''));

describe('portfolio valued through a real inventory HTTP server (DynamoDB Local)', () => {
  let inventory: InventoryServer;
  let t: TestApp;
  let api: Api;
  let service: string;
  let seq = 0;

  beforeAll(async () => {
    inventory = new InventoryServer();
    await inventory.start();
    inventory.prices.set('BTC', 50000);
    inventory.prices.set('ETH', '2500.125');
    t = await startTestApp('portfolio', {
      INVENTORY_SERVICE_URL: inventory.url,
      INVENTORY_TIMEOUT_MS: '1500',
    });
    api = await listen(t);
    service = createServiceToken(t);
  });
  afterAll(async () => {
    await t.close();
    await inventory.stop();
  });
  beforeEach(() => {
    inventory.mode = 'ok';
  });

  /** Deposit, then buy through a hold completed with the asset. */
  async function investor(
    deposit: string,
    buys: Array<[string, string, string]>,
  ): Promise<Customer> {
    const c = await createCustomer(t.http);
    expect((await api.post('/balance/deposit', c.accessToken, { amount: deposit })).status).toBe(
      201,
    );
    for (const [asset, quantity, paid] of buys) {
      const held = await api.post(`/internal/users/${c.userId}/balance/holds`, service, {
        amount: paid,
        order_id: `buy-${++seq}`,
      });
      const done = await api.post(
        `/internal/users/${c.userId}/transactions/${held.body.transaction.transaction_id}/complete`,
        service,
        { amount: paid, asset: { asset_id: asset, quantity } },
      );
      expect(done.status).toBe(200);
    }
    return c;
  }

  /** Fresh prices: the client caches for 5 s, so each test uses its own asset ids where it matters. */
  async function portfolio(c: Customer, path = `/users/${c.userId}/portfolio`) {
    const started = Date.now();
    const res = await api.get(path, c.accessToken);
    return { res, ms: Date.now() - started };
  }

  it('values 0.5 BTC at 50,000.00 next to 760.00 cash; percentages add up to 100.00', async () => {
    const c = await investor('1000.00', [['BTC', '0.5', '240.00']]);
    const { res } = await portfolio(c);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      user_id: c.userId,
      currency: 'USD',
      cash_balance: '760.00',
      available_balance: '760.00',
      held_balance: '0.00',
      cash_percentage: '2.95',
      assets: [
        {
          asset_id: 'BTC',
          quantity: '0.5',
          current_price: '50000.00',
          market_value: '25000.00',
          percentage: '97.05',
        },
      ],
      total_asset_value: '25000.00',
      total_value: '25760.00',
      pricing_status: 'ok',
      priced_at: expect.stringMatching(ISO),
    });
    expect((await portfolio(c, '/portfolio')).res.body).toEqual(res.body);
    expect((await portfolio(c, '/users/me/portfolio')).res.body).toEqual(res.body);
  });

  it('keeps exact decimals: 0.3 ETH at 2,500.125 is 750.04 (half up), shares still sum to 100.00', async () => {
    const c = await investor('100.00', [
      ['ETH', '0.3', '33.33'],
      ['BTC', '0.00000001', '0.01'],
    ]);
    const { res } = await portfolio(c);
    expect(res.body.assets).toEqual([
      expect.objectContaining({ asset_id: 'BTC', quantity: '0.00000001', market_value: '0.00' }),
      expect.objectContaining({
        asset_id: 'ETH',
        quantity: '0.3',
        current_price: '2500.13',
        market_value: '750.04',
      }),
    ]);
    const sum =
      bp(res.body.cash_percentage) +
      res.body.assets.reduce((s: number, a: { percentage: string }) => s + bp(a.percentage), 0);
    expect(sum).toBe(10_000);
    expect(res.body.total_value).toBe('816.70');
  });

  it('an empty portfolio is all cash at 100.00 (0.00 when there is no cash either)', async () => {
    const c = await createCustomer(t.http);
    expect((await portfolio(c)).res.body).toMatchObject({
      assets: [],
      cash_percentage: '0.00',
      total_value: '0.00',
      pricing_status: 'ok',
      priced_at: null,
    });
    await api.post('/balance/deposit', c.accessToken, { amount: '5.00' });
    expect((await portfolio(c)).res.body).toMatchObject({
      cash_percentage: '100.00',
      total_value: '5.00',
    });
  });

  it('GET /balance/asset/{id}: the own quantity, 404 when not held or not an asset id', async () => {
    const c = await investor('100.00', [['ADA', '12.5', '10.00']]);
    const res = await api.get('/balance/asset/ADA', c.accessToken);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      user_id: c.userId,
      asset_id: 'ADA',
      quantity: '12.5',
      updated_at: expect.stringMatching(ISO),
    });
    expect((await api.get(`/users/${c.userId}/holdings/ADA`, c.accessToken)).body).toEqual(
      res.body,
    );
    for (const asset of ['BTC', 'no%20such', '%F0%9F%92%B0', 'x'.repeat(65)]) {
      const missing = await api.get(`/balance/asset/${asset}`, c.accessToken);
      expect([asset, missing.status, missing.body.code]).toEqual([asset, 404, 'not_found']);
    }
    const other = await createCustomer(t.http);
    expectProblem(
      await api.get(`/users/${c.userId}/holdings/ADA`, other.accessToken),
      403,
      'forbidden',
    );
  });

  describe.each([
    ['refused (server stopped)', 'down'],
    ['answering 503', 'unavailable'],
    ['answering garbage', 'garbage'],
    ['answering a bad price', 'bad_price'],
    ['slow (5 s)', 'slow'],
  ] as const)('inventory %s', (_label, mode) => {
    it('answers 200 with null prices within the timeout, then prices again when it is back', async () => {
      const asset = `X${mode.toUpperCase().replace(/[^A-Z]/g, '')}${++seq}`;
      inventory.prices.set(asset, 10);
      const c = await investor('100.00', [[asset, '2', '5.00']]);
      if (mode === 'down') await inventory.stop();
      else inventory.mode = mode;
      try {
        const { res, ms } = await portfolio(c);
        expect(res.status).toBe(200);
        expect(ms).toBeLessThan(2_000);
        expect(res.body).toMatchObject({
          cash_balance: '95.00',
          assets: [
            {
              asset_id: asset,
              quantity: '2',
              current_price: null,
              market_value: null,
              percentage: null,
            },
          ],
          total_asset_value: '0.00',
          total_value: '95.00',
          cash_percentage: '100.00',
          pricing_status: 'unavailable',
          priced_at: null,
        });
      } finally {
        if (mode === 'down') await inventory.start();
        inventory.mode = 'ok';
      }
      const back = await portfolio(c);
      expect(back.res.body).toMatchObject({
        assets: [{ asset_id: asset, current_price: '10.00', market_value: '20.00' }],
        pricing_status: 'ok',
      });
    });
  });

  it('marks a portfolio partial when only some assets are priced', async () => {
    const c = await investor('100.00', [
      ['BTC', '0.001', '10.00'],
      [`UNLISTED${++seq}`, '1', '1.00'],
    ]);
    const { res } = await portfolio(c);
    expect(res.body.pricing_status).toBe('partial');
    expect(res.body.assets.find((a: { asset_id: string }) => a.asset_id === 'BTC')).toMatchObject({
      market_value: '50.00',
    });
    expect(
      res.body.assets.find((a: { asset_id: string }) => a.asset_id.startsWith('UNLISTED')),
    ).toMatchObject({ current_price: null, percentage: null });
  });

  it('retries once after a 503 but never after a timeout, and opens the circuit after repeated failures', async () => {
    const metric = async (result: string) => {
      const text = (await api.call('GET', '/metrics')).text;
      const m = new RegExp(`inventory_requests_total\\{result="${result}"\\} (\\d+)`).exec(text);
      return m ? Number(m[1]) : 0;
    };
    const asset = `RETRY${++seq}`;
    inventory.prices.set(asset, 1);
    const c = await investor('10.00', [[asset, '1', '1.00']]);

    inventory.mode = 'unavailable';
    const hitsBefore = inventory.hits.length;
    await portfolio(c);
    expect(inventory.hits.length - hitsBefore).toBe(2); // the call and its one retry

    inventory.mode = 'slow';
    inventory.slowMs = 3_000;
    const slowAsset = `SLOW${++seq}`;
    inventory.prices.set(slowAsset, 1);
    const s = await investor('10.00', [[slowAsset, '1', '1.00']]);
    const timeoutsBefore = await metric('timeout');
    const slowHits = inventory.hits.length;
    await portfolio(s);
    expect(inventory.hits.length - slowHits).toBe(1);
    expect((await metric('timeout')) - timeoutsBefore).toBe(1);
    inventory.slowMs = 5_000;

    // Consecutive failures open the breaker: later calls are short-circuited without a request.
    inventory.mode = 'unavailable';
    for (let i = 0; i < 3; i++)
      await portfolio(await investor('1.00', [[`FAIL${++seq}`, '1', '0.01']]));
    const openBefore = await metric('circuit_open');
    const hits = inventory.hits.length;
    const { res } = await portfolio(await investor('1.00', [[`FAIL${++seq}`, '1', '0.01']]));
    expect(res.status).toBe(200);
    expect(inventory.hits.length).toBe(hits);
    expect((await metric('circuit_open')) - openBefore).toBe(1);
    expect((await api.call('GET', '/metrics')).text).toMatch(/inventory_circuit_state 2/);
  });
});
