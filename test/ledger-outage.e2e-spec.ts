import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbLocalHandle, startDynamoDbLocal } from '../src/database/local/dynamodb-local';
import { Api, ApiResponse, cents, listen, runPool } from './utils/ledger-http';
import { expectProblem } from './utils/problems';
import { waitFor } from './utils/server-process';
import { startTestApp, TestApp } from './utils/test-app';
import { createAdminToken, createCustomer } from './utils/users';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Sent {
  user: number;
  key: string;
  amountCents: number;
  start: number;
  end?: number;
  res?: ApiResponse;
  error?: unknown;
}

/**
 * A separate DynamoDB Local in persistent mode (-dbPath), stopped (SIGTERM) while keyed deposits are
 * in flight and restarted on the same port and data: clients only ever see 201 or 503, and
 * afterwards every operation has happened exactly once or not at all.
 *
 * SIGTERM, not SIGKILL: measured here, DynamoDB Local itself loses about one acknowledged
 * TransactWriteItems in a hundred when its JVM is SIGKILLed (atomicity holds, durability of the last
 * acknowledged write does not), which real DynamoDB never does; exact accounting against
 * acknowledged responses is only meaningful when the emulator keeps what it acknowledged.
 */
describe('DynamoDB stopped while deposits are in flight (persistent DynamoDB Local)', () => {
  let dbPath: string;
  let db: DynamoDbLocalHandle;
  let t: TestApp;
  let api: Api;
  let admin: string;

  beforeAll(async () => {
    dbPath = await mkdtemp(join(tmpdir(), 'ledger-outage-'));
    db = await startDynamoDbLocal({ dbPath });
    t = await startTestApp('ledger_outage', { DYNAMODB_ENDPOINT: db.endpoint });
    api = await listen(t);
    admin = await createAdminToken(t);
  });
  afterAll(async () => {
    await t?.close();
    await db?.stop();
    if (dbPath) await rm(dbPath, { recursive: true, force: true });
  });

  it('answers 201 or 503 (never 500) and every user reconciles clean after a restart', async () => {
    const users = await Promise.all(Array.from({ length: 5 }, () => createCustomer(t.http)));
    const sent: Sent[] = [];
    let running = true;
    let n = 0;
    const deposit = (s: Sent) =>
      api.post(
        '/users/me/balance/deposit',
        users[s.user].accessToken,
        { amount: s.amountCents / 100 },
        {
          'Idempotency-Key': s.key,
        },
      );
    const clients = Array.from({ length: 8 }, async () => {
      while (running) {
        const i = n++;
        const s: Sent = {
          user: i % users.length,
          key: `outage-${i}`,
          amountCents: 100 + (i % 50),
          start: Date.now(),
        };
        sent.push(s);
        try {
          s.res = await deposit(s);
        } catch (err) {
          s.error = err;
        }
        s.end = Date.now();
        if (s.res?.status !== 201) await sleep(100); // a client backs off after a failure
      }
    });

    const succeeded = () => sent.filter((s) => s.res?.status === 201).length;
    const inFlight = () => sent.filter((s) => s.end === undefined);
    await waitFor(async () => succeeded() >= 20, 20_000, '20 acknowledged deposits');
    await waitFor(async () => inFlight().length > 0, 5_000, 'a deposit in flight');
    const port = db.port;
    // Taken in the same tick as the kill: these requests were certainly in flight when the JVM died.
    const inFlightAtKill = inFlight();
    const sentBeforeKill = sent.length;
    process.kill(db.pid, 'SIGTERM');
    // Bounded poll, not a fixed sleep: go on once a request sent after the kill has met the outage.
    await waitFor(
      async () => sent.slice(sentBeforeKill).some((s) => s.res?.status === 503),
      30_000,
      'a 503 after the kill',
    );
    running = false;
    await Promise.all(clients);
    await db.stop();
    db = await startDynamoDbLocal({ port, dbPath });

    const statuses = sent.map((s) => s.res?.status ?? 'network error');
    expect(statuses.filter((s) => s !== 201 && s !== 503)).toEqual([]);
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(20);
    const unavailable = sent.filter((s) => s.res?.status === 503);
    expect(unavailable.length).toBeGreaterThan(0);
    // Requests in flight when the JVM died were answered too, with 201 or 503.
    expect(inFlightAtKill.length).toBeGreaterThan(0);
    for (const s of inFlightAtKill) expect([201, 503]).toContain(s.res?.status);
    for (const s of unavailable) {
      expectProblem(s.res!, 503, 'service_unavailable');
      expect(s.res!.headers.get('retry-after')).toBe('1');
      expect(s.res!.text).not.toMatch(/Exception|ECONNREFUSED|stack/);
    }

    // Clients retry what failed, with the same key: each deposit lands exactly once.
    const retried = await runPool(
      8,
      unavailable.map((s) => async () => {
        let res: ApiResponse | undefined;
        for (let attempt = 0; attempt < 20 && res?.status !== 201; attempt++) {
          if (attempt > 0) await sleep(250);
          res = await deposit(s);
        }
        return { s, res };
      }),
    );
    for (const { s, res } of retried) {
      expect(res?.status).toBe(201);
      expect(cents(res!.body.transaction.amount)).toBe(s.amountCents);
    }

    for (const [index, user] of users.entries()) {
      const mine = sent.filter((s) => s.user === index);
      const expected = mine.reduce((sum, s) => sum + s.amountCents, 0);
      const balance = await api.get('/balance', user.accessToken);
      expect(cents(balance.body.current_balance)).toBe(expected);
      const out = await t.ddb.send(
        new QueryCommand({
          TableName: t.config.dynamodb.tableName,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :tx)',
          ExpressionAttributeValues: { ':pk': { S: user.userId }, ':tx': { S: 'TX#' } },
          ConsistentRead: true,
          Select: 'COUNT',
        }),
      );
      expect(out.Count).toBe(mine.length);
      const report = await api.get(`/internal/users/${user.userId}/reconcile`, admin);
      expect(report.status).toBe(200);
      expect(report.body).toMatchObject({ ok: true, mismatches: [] });
    }
  }, 120_000);
});
