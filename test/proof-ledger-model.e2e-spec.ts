import fc from 'fast-check';
import { Api, ApiResponse, listen, money, quantity } from './utils/ledger-http';
import { startTestApp, TestApp } from './utils/test-app';
import { createAdminToken, createCustomer, createServiceToken } from './utils/users';

/**
 * Model-based test of the ledger (issue 11, part 3): fast-check command sequences run against the
 * app and an in-memory model, with shrinking; every answer must be the one the model allows, and
 * after each sequence balances, held amounts, holdings and the history equal the model's and
 * reconcile is clean. PROOF_HEAVY=1 runs more and longer sequences.
 */
const HEAVY = process.env.PROOF_HEAVY === '1';
/** Generous: the machine is shared; the heavy variant sends many more requests. */
const TEST_TIMEOUT_MS = HEAVY ? 30 * 60_000 : 5 * 60_000;
const RUNS = Number(process.env.PROOF_MODEL_RUNS ?? (HEAVY ? 80 : 25));
const MAX_COMMANDS = HEAVY ? 40 : 20;
const SEED = Number(process.env.PROOF_SEED ?? Date.now() % 2 ** 31);

interface HistoryEntry {
  id: string;
  type: string;
  amountCents: number;
  status: string;
}

interface Hold {
  id: string;
  cents: number;
  expiring: boolean;
  createdAt: number;
}

interface Model {
  currentCents: number;
  heldCents: number;
  pending: Hold[];
  resolved: string[];
  holdings: Map<string, number>;
  history: HistoryEntry[];
  keys: Map<string, { kind: string; cents: number; id: string }>;
  orders: Map<string, { hash: string; id: string }>;
  seq: number;
}

interface Real {
  api: Api;
  userId: string;
  token: string;
  service: string;
  admin: string;
}

const expectStatus = (res: ApiResponse, status: number, code?: string) => {
  expect([res.status, res.body?.code]).toEqual([status, code ?? res.body?.code]);
};

const available = (m: Model) => m.currentCents - m.heldCents;
const entry = (m: Model, id: string) => m.history.find((h) => h.id === id)!;

class Movement implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly kind: 'deposit' | 'withdraw',
    readonly cents: number,
    readonly keyed: boolean,
  ) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const key = this.keyed ? `k-${++m.seq}` : undefined;
    const res = await r.api.post(
      `/users/me/balance/${this.kind}`,
      r.token,
      { amount: money(this.cents) },
      key ? { 'idempotency-key': key } : {},
    );
    if (this.kind === 'withdraw' && available(m) < this.cents)
      return expectStatus(res, 422, 'insufficient_funds');
    expectStatus(res, 201);
    const signed = this.kind === 'deposit' ? this.cents : -this.cents;
    m.currentCents += signed;
    expect(res.body.transaction.balance_after).toBe(money(m.currentCents));
    m.history.push({
      id: res.body.transaction_id,
      type: this.kind,
      amountCents: signed,
      status: 'completed',
    });
    if (key) m.keys.set(key, { kind: this.kind, cents: this.cents, id: res.body.transaction_id });
  }
  toString = () => `${this.kind}(${money(this.cents)}${this.keyed ? ', keyed' : ''})`;
}

class Adjustment implements fc.AsyncCommand<Model, Real> {
  constructor(readonly cents: number) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const res = await r.api.post(
      `/admin/users/${r.userId}/balance/adjustments`,
      r.admin,
      { amount: money(this.cents), reason: 'model check' },
      { 'idempotency-key': `adj-${++m.seq}` },
    );
    if (this.cents < 0 && available(m) < -this.cents) {
      return expectStatus(res, 422, 'insufficient_funds');
    }
    expectStatus(res, 201);
    m.currentCents += this.cents;
    expect(res.body.transaction.balance_after).toBe(money(m.currentCents));
    m.history.push({
      id: res.body.transaction.transaction_id,
      type: 'adjustment',
      amountCents: this.cents,
      status: 'completed',
    });
  }
  toString = () => `adjust(${money(this.cents)})`;
}

class KeyedRetry implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly pick: number,
    readonly changeAmount: boolean,
  ) {}
  check = (m: Readonly<Model>) => m.keys.size > 0;
  async run(m: Model, r: Real) {
    const [key, first] = [...m.keys][this.pick % m.keys.size];
    const cents = this.changeAmount ? first.cents + 1 : first.cents;
    const res = await r.api.post(
      `/users/me/balance/${first.kind}`,
      r.token,
      { amount: money(cents) },
      { 'idempotency-key': key },
    );
    if (this.changeAmount) return expectStatus(res, 422, 'idempotency_key_reused');
    expectStatus(res, 201);
    expect(res.headers.get('idempotent-replayed')).toBe('true');
    expect(res.body.transaction_id).toBe(first.id);
  }
  toString = () => `retry(#${this.pick}${this.changeAmount ? ', other amount' : ''})`;
}

class PlaceHold implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly cents: number,
    readonly expiring: boolean,
    readonly reuse: number | null,
  ) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const reused =
      this.reuse !== null && m.orders.size > 0
        ? [...m.orders][this.reuse % m.orders.size]
        : undefined;
    const orderId = reused ? reused[0] : `o-${++m.seq}`;
    const body: Record<string, unknown> = { amount: money(this.cents), order_id: orderId };
    if (this.expiring) body.expires_in_seconds = 1;
    const res = await r.api.post(`/internal/users/${r.userId}/balance/holds`, r.service, body);
    const hash = `hold:${this.cents}`;
    if (reused) {
      if (reused[1].hash !== hash) return expectStatus(res, 422, 'idempotency_key_reused');
      expectStatus(res, 201);
      expect(res.body.transaction.transaction_id).toBe(reused[1].id);
      return;
    }
    if (available(m) < this.cents) return expectStatus(res, 422, 'insufficient_funds');
    expectStatus(res, 201);
    const id = res.body.transaction.transaction_id as string;
    m.heldCents += this.cents;
    m.pending.push({ id, cents: this.cents, expiring: this.expiring, createdAt: Date.now() });
    m.history.push({ id, type: 'order_payment', amountCents: -this.cents, status: 'pending' });
    m.orders.set(orderId, { hash, id });
    expect(res.body.balance.held_balance).toBe(money(m.heldCents));
  }
  toString = () =>
    `hold(${money(this.cents)}${this.expiring ? ', 1 s' : ''}${this.reuse !== null ? `, reuse #${this.reuse}` : ''})`;
}

class Resolve implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly action: 'complete' | 'cancel',
    readonly pick: number,
    readonly paidShare: number,
    readonly units: number,
    readonly again: boolean,
  ) {}
  check = (m: Readonly<Model>) => (this.again ? m.resolved.length > 0 : m.pending.length > 0);
  async run(m: Model, r: Real) {
    if (this.again) {
      const id = m.resolved[this.pick % m.resolved.length];
      const res = await r.api.post(
        `/internal/users/${r.userId}/transactions/${id}/${this.action}`,
        r.service,
        {},
      );
      return expectStatus(res, 409, 'transaction_not_pending');
    }
    const i = this.pick % m.pending.length;
    const hold = m.pending[i];
    const paid = Math.max(1, Math.floor((hold.cents * this.paidShare) / 100));
    const body =
      this.action === 'complete'
        ? { amount: money(paid), asset: { asset_id: 'BTC', quantity: quantity(this.units) } }
        : {};
    const res = await r.api.post(
      `/internal/users/${r.userId}/transactions/${hold.id}/${this.action}`,
      r.service,
      body,
    );
    expectStatus(res, 200);
    m.pending.splice(i, 1);
    m.resolved.push(hold.id);
    m.heldCents -= hold.cents;
    const e = entry(m, hold.id);
    if (this.action === 'complete') {
      m.currentCents -= paid;
      e.amountCents = -paid;
      e.status = 'completed';
      m.holdings.set('BTC', (m.holdings.get('BTC') ?? 0) + this.units);
      expect(res.body.transaction.balance_after).toBe(money(m.currentCents));
    } else {
      e.status = 'cancelled';
    }
    expect(res.body.balance).toMatchObject({
      current_balance: money(m.currentCents),
      held_balance: money(m.heldCents),
    });
  }
  toString = () =>
    `${this.action}(#${this.pick}${this.action === 'complete' ? `, ${this.paidShare}%, ${quantity(this.units)} BTC` : ''}${this.again ? ', again' : ''})`;
}

class ReleaseExpired implements fc.AsyncCommand<Model, Real> {
  check = (m: Readonly<Model>) => m.pending.some((h) => h.expiring);
  async run(m: Model, r: Real) {
    const newest = Math.max(...m.pending.filter((h) => h.expiring).map((h) => h.createdAt));
    const wait = newest + 1_150 - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    // Other runs' holds may be released too; this user's expired ones must all be.
    for (let round = 0; round < 20; round++) {
      const res = await r.api.post('/internal/holds/release-expired', r.service, {});
      expectStatus(res, 200);
      if (res.body.examined === 0) break;
    }
    for (const hold of m.pending.filter((h) => h.expiring)) {
      m.heldCents -= hold.cents;
      entry(m, hold.id).status = 'cancelled';
      m.resolved.push(hold.id);
    }
    m.pending = m.pending.filter((h) => !h.expiring);
  }
  toString = () => 'releaseExpired()';
}

class Sell implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly units: number,
    readonly proceeds: number,
  ) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const res = await r.api.post(`/internal/users/${r.userId}/trades/sell`, r.service, {
      order_id: `s-${++m.seq}`,
      asset_id: 'BTC',
      quantity: quantity(this.units),
      proceeds: money(this.proceeds),
    });
    if ((m.holdings.get('BTC') ?? 0) < this.units)
      return expectStatus(res, 422, 'insufficient_holdings');
    expectStatus(res, 201);
    m.holdings.set('BTC', (m.holdings.get('BTC') ?? 0) - this.units);
    m.currentCents += this.proceeds;
    m.history.push({
      id: res.body.transaction.transaction_id,
      type: 'order_sale',
      amountCents: this.proceeds,
      status: 'completed',
    });
    expect(res.body.transaction.balance_after).toBe(money(m.currentCents));
  }
  toString = () => `sell(${quantity(this.units)} BTC for ${money(this.proceeds)})`;
}

class ReadState implements fc.AsyncCommand<Model, Real> {
  check = () => true;
  async run(m: Model, r: Real) {
    await expectState(m, r);
  }
  toString = () => 'read(balance, history, portfolio)';
}

async function expectState(m: Model, r: Real) {
  const balance = await r.api.get('/balance', r.token);
  expect(balance.body).toMatchObject({
    current_balance: money(m.currentCents),
    held_balance: money(m.heldCents),
    available_balance: money(available(m)),
  });
  const history = await r.api.get('/balance/transactions?limit=100', r.token);
  const seen = history.body.transactions.map(
    (t: { transaction_id: string; transaction_type: string; amount: string; status: string }) => [
      t.transaction_id,
      t.transaction_type,
      t.amount,
      t.status,
    ],
  );
  expect(seen).toEqual(
    [...m.history].reverse().map((h) => [h.id, h.type, money(h.amountCents), h.status]),
  );
  const portfolio = await r.api.get('/portfolio', r.token);
  expect(portfolio.body.cash_balance).toBe(money(m.currentCents));
  const held = [...m.holdings]
    .filter(([, units]) => units > 0)
    .map(([asset, units]) => [asset, quantity(units)]);
  expect(
    portfolio.body.assets.map((a: { asset_id: string; quantity: string }) => [
      a.asset_id,
      a.quantity,
    ]),
  ).toEqual(held);
}

const cents = (max: number) => fc.integer({ min: 1, max });
const commands = [
  fc
    .tuple(
      fc.constantFrom<'deposit' | 'withdraw'>('deposit', 'withdraw'),
      cents(40_000),
      fc.boolean(),
    )
    .map(([k, c, keyed]) => new Movement(k, c, keyed)),
  fc.tuple(fc.nat(), fc.boolean()).map(([p, change]) => new KeyedRetry(p, change)),
  fc
    .tuple(cents(30_000), fc.boolean(), fc.option(fc.nat(), { freq: 4 }))
    .map(([c, exp, reuse]) => new PlaceHold(c, exp, reuse)),
  fc
    .tuple(
      fc.constantFrom<'complete' | 'cancel'>('complete', 'cancel'),
      fc.nat(),
      fc.integer({ min: 1, max: 100 }),
      fc.integer({ min: 1, max: 300_000_000 }),
      fc.boolean(),
    )
    .map(([a, p, share, units, again]) => new Resolve(a, p, share, units, again)),
  fc.constant(new ReleaseExpired()),
  fc.tuple(fc.integer({ min: 1, max: 200_000_000 }), cents(50_000)).map(([u, p]) => new Sell(u, p)),
  fc.constant(new ReadState()),
  fc.tuple(cents(60_000), fc.boolean()).map(([c, debit]) => new Adjustment(debit ? -c : c)),
];

describe('proof: the ledger behaves like its model under generated command sequences', () => {
  let t: TestApp;
  let api: Api;
  let service: string;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp('proof_model');
    api = await listen(t);
    service = createServiceToken(t);
    admin = await createAdminToken(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it(
    `every answer is one the model allows, and the final state equals the model's (seed ${SEED}, ${RUNS} sequences)`,
    async () => {
      let commandsRun = 0;
      const ran = new Map<string, number>();
      await fc.assert(
        fc.asyncProperty(
          fc.commands(commands, { maxCommands: MAX_COMMANDS, size: 'max' }),
          async (cmds) => {
            const user = await createCustomer(t.http);
            // Start funded, so that holds, completions and sells are reached, not only refusals.
            const funding = await api.post('/balance/deposit', user.accessToken, {
              amount: '2000.00',
            });
            expect(funding.status).toBe(201);
            const model: Model = {
              currentCents: 200_000,
              heldCents: 0,
              pending: [],
              resolved: [],
              holdings: new Map(),
              history: [],
              keys: new Map(),
              orders: new Map(),
              seq: 0,
            };
            const real: Real = {
              api,
              userId: user.userId,
              token: user.accessToken,
              service,
              admin,
            };
            model.history.push({
              id: funding.body.transaction_id,
              type: 'deposit',
              amountCents: 200_000,
              status: 'completed',
            });
            await fc.asyncModelRun(() => ({ model, real }), cmds);
            for (const cmd of cmds) {
              const name = cmd.toString().replace(/\(.*$/, '');
              ran.set(name, (ran.get(name) ?? 0) + 1);
              commandsRun++;
            }
            await expectState(model, real);
            const report = await api.get(`/internal/users/${user.userId}/reconcile`, admin);
            expect(report.body).toMatchObject({ ok: true, mismatches: [] });
          },
        ),
        { numRuns: RUNS, seed: SEED },
      );
      console.log(
        `proof model: seed ${SEED}, ${RUNS} sequences, ${commandsRun} commands ${JSON.stringify(Object.fromEntries(ran))}`,
      );
    },
    TEST_TIMEOUT_MS,
  );
});
