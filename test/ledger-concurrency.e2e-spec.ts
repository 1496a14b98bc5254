import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { Api, ApiResponse, cents, listen, prng, runPool } from './utils/ledger-http';
import { startTestApp, TestApp } from './utils/test-app';
import { createAdminToken, createCustomer } from './utils/users';

interface Customer {
  userId: string;
  accessToken: string;
}

/** Transaction items stored for a user, read straight from the table. */
async function storedTransactions(t: TestApp, userId: string) {
  const items: Array<{ id: string; type: string; amount: number; after: number }> = [];
  let start: Record<string, never> | undefined;
  do {
    const out = await t.ddb.send(
      new QueryCommand({
        TableName: t.config.dynamodb.tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :tx)',
        ExpressionAttributeValues: { ':pk': { S: userId }, ':tx': { S: 'TX#' } },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    for (const item of out.Items ?? []) {
      items.push({
        id: item.transaction_id.S!,
        type: item.transaction_type.S!,
        amount: Number(item.amount_cents.N),
        after: Number(item.balance_after_cents.N),
      });
    }
    start = out.LastEvaluatedKey as Record<string, never> | undefined;
  } while (start);
  return items;
}

describe('ledger under concurrency (HTTP, DynamoDB Local)', () => {
  let t: TestApp;
  let api: Api;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp('ledger_concurrency', {
      DAILY_DEPOSIT_LIMIT: '1000000',
      DAILY_WITHDRAW_LIMIT: '1000000',
    });
    api = await listen(t);
    admin = await createAdminToken(t);
  });
  afterAll(async () => {
    await t.close();
  });

  async function customerWith(amount: string): Promise<Customer> {
    const customer = await createCustomer(t.http);
    if (amount !== '0.00') {
      const res = await api.post('/users/me/balance/deposit', customer.accessToken, { amount });
      expect(res.status).toBe(201);
    }
    return customer;
  }

  async function expectReconciled(userId: string): Promise<void> {
    const res = await api.get(`/internal/users/${userId}/reconcile`, admin);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ user_id: userId, ok: true, mismatches: [] });
  }

  it('50 parallel withdrawals of 1.00 against 10.00: exactly 10 succeed, 40 get insufficient_funds', async () => {
    const c = await customerWith('10.00');
    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        api.post(`/users/${c.userId}/balance/withdraw`, c.accessToken, { amount: '1.00' }),
      ),
    );
    const ok = responses.filter((r) => r.status === 201);
    const rejected = responses.filter((r) => r.status === 422);
    expect(ok).toHaveLength(10);
    expect(rejected).toHaveLength(40);
    expect(rejected.every((r) => r.body.code === 'insufficient_funds')).toBe(true);
    // Each success saw a distinct balance: 9.00, 8.00, ... 0.00.
    expect(ok.map((r) => r.body.transaction.balance_after).sort()).toEqual([
      '0.00',
      '1.00',
      '2.00',
      '3.00',
      '4.00',
      '5.00',
      '6.00',
      '7.00',
      '8.00',
      '9.00',
    ]);

    const balance = await api.get(`/users/${c.userId}/balance`, c.accessToken);
    expect(balance.body).toMatchObject({ current_balance: '0.00', available_balance: '0.00' });
    const withdrawals = (await storedTransactions(t, c.userId)).filter(
      (x) => x.type === 'withdraw',
    );
    expect(withdrawals).toHaveLength(10);
    await expectReconciled(c.userId);
  });

  it('20 parallel deposits with one Idempotency-Key apply once and carry one transaction_id', async () => {
    const c = await customerWith('0.00');
    const key = `deposit-${c.userId}`;
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        api.post(
          '/users/me/balance/deposit',
          c.accessToken,
          { amount: 25 },
          { 'Idempotency-Key': key },
        ),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(201));
    const ids = new Set(responses.map((r) => r.body.transaction_id));
    expect(ids.size).toBe(1);
    const applied = responses.filter((r) => r.headers.get('idempotent-replayed') !== 'true');
    expect(applied).toHaveLength(1);
    for (const r of responses) expect(r.body).toEqual(applied[0].body);

    const balance = await api.get('/balance', c.accessToken);
    expect(balance.body.current_balance).toBe('25.00');
    expect(await storedTransactions(t, c.userId)).toHaveLength(1);

    // A later retry (also through the compatibility route) replays and changes nothing.
    const retry = await api.post(
      '/balance/deposit',
      c.accessToken,
      { amount: '25.00' },
      { 'Idempotency-Key': key },
    );
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body).toEqual(applied[0].body);

    const reused = await api.post(
      '/users/me/balance/deposit',
      c.accessToken,
      { amount: 26 },
      { 'Idempotency-Key': key },
    );
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('idempotency_key_reused');
    expect((await api.get('/balance', c.accessToken)).body.current_balance).toBe('25.00');
    expect(await storedTransactions(t, c.userId)).toHaveLength(1);
    await expectReconciled(c.userId);
  });

  it('a seeded random mix of 500 operations from 16 clients matches an in-memory model', async () => {
    const SEED = 20250131;
    const random = prng(SEED);
    const users = await Promise.all(Array.from({ length: 5 }, () => customerWith('50.00')));

    interface Op {
      user: number;
      kind: 'deposit' | 'withdraw';
      amountCents: number;
      key?: string;
    }
    const ops: Op[] = [];
    for (let i = 0; i < 500; i++) {
      const roll = random();
      const earlier = ops.filter((o) => o.key);
      if (roll < 0.1 && earlier.length > 0) {
        ops.push({ ...earlier[Math.floor(random() * earlier.length)] }); // same key, same body
      } else if (roll < 0.12 && earlier.length > 0) {
        const base = earlier[Math.floor(random() * earlier.length)];
        ops.push({ ...base, amountCents: base.amountCents + 1 }); // same key, other body
      } else {
        ops.push({
          user: Math.floor(random() * users.length),
          kind: random() < 0.55 ? 'deposit' : 'withdraw',
          amountCents: 1 + Math.floor(random() * 3000),
          key: random() < 0.3 ? `mix-${i}` : undefined,
        });
      }
    }

    interface Outcome {
      op: Op;
      start: number;
      end: number;
      res: ApiResponse;
    }
    const toAmount = (c: number) =>
      c % 3 === 0 ? c / 100 : `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`;
    const outcomes = await runPool(
      16,
      ops.map((op) => async (): Promise<Outcome> => {
        const u = users[op.user];
        const start = Date.now();
        const res = await api.post(
          `/users/${u.userId}/balance/${op.kind}`,
          u.accessToken,
          { amount: toAmount(op.amountCents) },
          op.key ? { 'Idempotency-Key': op.key } : undefined,
        );
        return { op, start, end: Date.now(), res };
      }),
    );

    // Every response is one of the allowed kinds.
    for (const o of outcomes) {
      const allowed =
        o.res.status === 201 ||
        (o.res.status === 422 &&
          ['insufficient_funds', 'idempotency_key_reused'].includes(o.res.body.code));
      if (!allowed) throw new Error(`unexpected response ${o.res.status} ${o.res.text}`);
    }

    const applied = outcomes.filter(
      (o) => o.res.status === 201 && o.res.headers.get('idempotent-replayed') !== 'true',
    );
    for (const [index, user] of users.entries()) {
      const mine = applied
        .filter((o) => o.op.user === index)
        .sort((a, b) => (a.res.body.transaction_id < b.res.body.transaction_id ? -1 : 1));
      // Replay the applied operations in commit order (ULIDs): balance_after follows, never negative.
      let running = 5000;
      const timeline: Array<{ at: number; balance: number }> = [{ at: 0, balance: running }];
      for (const o of mine) {
        running += o.op.kind === 'deposit' ? o.op.amountCents : -o.op.amountCents;
        expect(running).toBeGreaterThanOrEqual(0);
        expect(cents(o.res.body.transaction.amount)).toBe(
          o.op.kind === 'deposit' ? o.op.amountCents : -o.op.amountCents,
        );
        expect(cents(o.res.body.transaction.balance_after)).toBe(running);
        timeline.push({ at: Date.parse(o.res.body.transaction.created_at), balance: running });
      }
      // Every insufficient_funds saw a moment where the model's balance was too low.
      for (const o of outcomes.filter(
        (x) => x.op.user === index && x.res.body?.code === 'insufficient_funds',
      )) {
        const before = timeline.filter((s) => s.at <= o.start).pop()!;
        const during = timeline.filter((s) => s.at > o.start && s.at <= o.end);
        const lowest = Math.min(before.balance, ...during.map((s) => s.balance));
        expect(lowest).toBeLessThan(o.op.amountCents);
      }
      // The table holds exactly the applied transactions (plus the opening deposit).
      const stored = await storedTransactions(t, user.userId);
      expect(stored.map((s) => s.id).sort()).toEqual(
        [
          ...mine.map((o) => o.res.body.transaction_id),
          ...stored.filter((s) => s.after === 5000 && s.amount === 5000).map((s) => s.id),
        ].sort(),
      );
      const balance = await api.get(`/users/${user.userId}/balance`, user.accessToken);
      expect(cents(balance.body.current_balance)).toBe(running);
      await expectReconciled(user.userId);
    }

    // Keys: at most one application; every 201 for a key carries that application's response.
    const byKey = new Map<string, Outcome[]>();
    for (const o of outcomes.filter((x) => x.op.key)) {
      const k = `${o.op.user}/${o.op.key}`;
      byKey.set(k, [...(byKey.get(k) ?? []), o]);
    }
    for (const group of byKey.values()) {
      const appliedHere = group.filter(
        (o) => o.res.status === 201 && o.res.headers.get('idempotent-replayed') !== 'true',
      );
      expect(appliedHere.length).toBeLessThanOrEqual(1);
      const winner = appliedHere[0];
      // Every 201 under this key is the winner's answer (a replay), for the winner's amount; every
      // idempotency_key_reused was for another amount. Both need a winner (undefined fails).
      for (const o of group.filter((x) => x.res.status === 201)) {
        expect(o.res.body).toEqual(winner?.res.body);
        expect(o.op.amountCents).toBe(winner?.op.amountCents);
      }
      for (const o of group.filter((x) => x.res.body?.code === 'idempotency_key_reused')) {
        expect(typeof winner?.op.amountCents).toBe('number');
        expect(o.op.amountCents).not.toBe(winner?.op.amountCents);
      }
    }
    // The scenario exercised what it claims to.
    expect(applied.length).toBeGreaterThan(200);
    expect(
      outcomes.filter((o) => o.res.headers.get('idempotent-replayed') === 'true').length,
    ).toBeGreaterThan(5);
    expect(
      outcomes.filter((o) => o.res.body?.code === 'insufficient_funds').length,
    ).toBeGreaterThan(0);
    expect(
      outcomes.filter((o) => o.res.body?.code === 'idempotency_key_reused').length,
    ).toBeGreaterThan(0);
  });
});
