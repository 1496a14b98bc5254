import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { runCli } from './utils/cli';
import { Api, listen } from './utils/ledger-http';
import { expectProblem } from './utils/problems';
import { startTestApp, TestApp } from './utils/test-app';
import { createAdminToken, createCustomer } from './utils/users';

/** Runs the reconcile CLI as `npm run reconcile` does (transpiled on the fly instead of built). */
const reconcileCli = (t: TestApp, args: string[]) =>
  runCli('src/balance/reconcile/reconcile.cli.ts', args, {
    NODE_ENV: 'test',
    DYNAMODB_ENDPOINT: t.config.dynamodb.endpoint!,
    DYNAMODB_TABLE_NAME: t.config.dynamodb.tableName,
    JWT_SECRET_KEY: t.config.jwt.secret,
  });

describe('reconciliation (CLI and admin route, DynamoDB Local)', () => {
  let t: TestApp;
  let api: Api;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp('reconcile');
    api = await listen(t);
    admin = await createAdminToken(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('reports clean ledgers with exit 0 and every tampered balance with exit 1', async () => {
    const [a, b] = await Promise.all([createCustomer(t.http), createCustomer(t.http)]);
    for (const c of [a, b]) {
      expect((await api.post('/balance/deposit', c.accessToken, { amount: '20.00' })).status).toBe(
        201,
      );
      expect((await api.post('/balance/withdraw', c.accessToken, { amount: '5.25' })).status).toBe(
        201,
      );
    }

    const clean = await reconcileCli(t, []);
    expect(clean.stderr).not.toMatch(/reconcile:/);
    expect(clean.code).toBe(0);
    const summary = JSON.parse(clean.stdout);
    expect(summary).toMatchObject({ ok: true, users_mismatched: 0, mismatched: [] });
    // Every balance in this file's table: the admin's, a's and b's.
    expect(summary.users_checked).toBe(3);

    // Someone changes b's stored balance outside the ledger.
    await t.ddb.send(
      new UpdateItemCommand({
        TableName: t.config.dynamodb.tableName,
        Key: { PK: { S: b.userId }, SK: { S: 'balance' } },
        UpdateExpression: 'SET current_cents = current_cents + :one',
        ExpressionAttributeValues: { ':one': { N: '1' } },
      }),
    );

    const dirty = await reconcileCli(t, []);
    expect(dirty.code).toBe(1);
    const report = JSON.parse(dirty.stdout);
    expect(report.ok).toBe(false);
    expect(report.mismatched).toEqual([
      expect.objectContaining({
        user_id: b.userId,
        ok: false,
        mismatches: [
          expect.objectContaining({
            code: 'current_balance_mismatch',
            expected: '14.75',
            actual: '14.76',
          }),
        ],
      }),
    ]);

    const one = await reconcileCli(t, ['--user', a.userId]);
    expect(one.code).toBe(0);
    expect(JSON.parse(one.stdout)).toMatchObject({
      user_id: a.userId,
      ok: true,
      transaction_count: 2,
    });
    expect((await reconcileCli(t, [`--user=${b.userId}`])).code).toBe(1);
    expect((await reconcileCli(t, ['--user', 'no-such-user'])).code).toBe(1);
    expect((await reconcileCli(t, ['--bogus'])).code).toBe(2);

    expectProblem(
      await api.get(`/internal/users/${b.userId}/reconcile`, a.accessToken),
      403,
      'forbidden',
    );
    const route = await api.get(`/internal/users/${b.userId}/reconcile`, admin);
    expect(route.status).toBe(200);
    expect(route.body).toMatchObject({
      ok: false,
      stored: { current_balance: '14.76' },
      computed: { current_balance: '14.75', held_balance: '0.00' },
      mismatches: [{ code: 'current_balance_mismatch' }],
    });
  }, 120_000);
});
