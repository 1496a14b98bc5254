import { spawn } from 'node:child_process';
import { join } from 'node:path';
import request from 'supertest';
import { startTestApp, TEST_JWT_SECRET, TestApp } from './utils/test-app';
import {
  createAdmin,
  createCustomer,
  Customer,
  loginUser,
  strongPassword,
  uniqueUsername,
} from './utils/users';
import { recordSecrets } from './utils/run-audit';

const ROOT = join(__dirname, '..');

describe('Accounts: administration (e2e)', () => {
  let t: TestApp;
  let admin: Customer;

  beforeAll(async () => {
    t = await startTestApp('accounts_admin');
    admin = await createAdmin(t);
  });

  afterAll(async () => {
    await t.close();
  });

  const as = (token: string) => ({
    get: (path: string) => request(t.http).get(path).set('Authorization', `Bearer ${token}`),
    post: (path: string) => request(t.http).post(path).set('Authorization', `Bearer ${token}`),
  });

  it('looks a user up exactly by e-mail or username; 404 unknown, 422 ambiguous, 403 for customers', async () => {
    const c = await createCustomer(t.http);
    const byEmail = await as(admin.accessToken).get(`/admin/users?email=${c.email.toUpperCase()}`);
    expect(byEmail.status).toBe(200);
    expect(byEmail.body).toMatchObject({ user_id: c.userId, status: 'active' });
    expect(JSON.stringify(byEmail.body)).not.toMatch(/hash/);
    const byName = await as(admin.accessToken).get(
      `/admin/users?username=${c.username.toUpperCase()}`,
    );
    expect(byName.body.user_id).toBe(c.userId);
    expect((await as(admin.accessToken).get('/admin/users?username=nobody_here_123')).status).toBe(
      404,
    );
    expect((await as(admin.accessToken).get('/admin/users')).status).toBe(422);
    expect(
      (await as(admin.accessToken).get(`/admin/users?username=${c.username}&email=${c.email}`))
        .status,
    ).toBe(422);
    expect((await as(c.accessToken).get(`/admin/users?email=${c.email}`)).status).toBe(403);
  });

  it('disable: the live token is 401 at once, login is the ordinary 401; enable: login works again', async () => {
    const c = await createCustomer(t.http);
    await as(c.accessToken).get('/users/me/profile').expect(200);
    const disabled = await as(admin.accessToken)
      .post(`/admin/users/${c.userId}/disable`)
      .send({ reason: 'fraud check' });
    expect(disabled.status).toBe(200);
    expect(disabled.body).toMatchObject({ user_id: c.userId, status: 'disabled' });

    expect((await as(c.accessToken).get('/users/me/profile')).status).toBe(401);
    expect(
      (await request(t.http).post('/auth/refresh').send({ refresh_token: c.refreshToken })).status,
    ).toBe(401);
    const login = await request(t.http)
      .post('/auth/login')
      .send({ username: c.username, password: c.password });
    const wrong = await request(t.http)
      .post('/auth/login')
      .send({ username: c.username, password: 'not the password 123' });
    expect(login.status).toBe(401);
    const { request_id: _a, ...loginBody } = login.body;
    const { request_id: _b, ...wrongBody } = wrong.body;
    expect(loginBody).toEqual(wrongBody);

    const audit = t.logs.lines.find((l) => l.includes('"admin.disable"') && l.includes(c.userId));
    expect(audit).toContain(`"admin_id":"${admin.userId}"`);
    expect(audit).toContain('fraud check');

    expect((await as(admin.accessToken).post(`/admin/users/${c.userId}/enable`)).status).toBe(200);
    const again = await loginUser(t.http, c.username, c.password);
    await as(again.accessToken).get('/users/me/profile').expect(200);
    // The sessions from before the disable stay ended.
    expect((await as(c.accessToken).get('/users/me/profile')).status).toBe(401);
    // Only admins; an admin cannot lock themselves out.
    expect((await as(again.accessToken).post(`/admin/users/${c.userId}/enable`)).status).toBe(403);
    expect(
      (
        await as(admin.accessToken)
          .post(`/admin/users/${admin.userId}/disable`)
          .send({ reason: 'x' })
      ).status,
    ).toBe(422);
  });

  it('adjustments: signed, idempotent, audited, reconcile; one that would overdraw is 422', async () => {
    const c = await createCustomer(t.http);
    await as(c.accessToken)
      .post('/users/me/balance/deposit')
      .send({ amount: '100.00' })
      .expect(201);
    const adjust = (amount: string, key: string, reason = 'goodwill credit') =>
      as(admin.accessToken)
        .post(`/admin/users/${c.userId}/balance/adjustments`)
        .set('Idempotency-Key', key)
        .send({ amount, reason });

    const debit = await adjust('-30.00', `k-${c.userId}-1`, 'fee correction');
    expect(debit.status).toBe(201);
    expect(debit.body.transaction).toMatchObject({
      transaction_type: 'adjustment',
      amount: '-30.00',
      status: 'completed',
      description: 'fee correction',
      balance_after: '70.00',
    });
    const replay = await adjust('-30.00', `k-${c.userId}-1`, 'fee correction');
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(debit.body);
    expect((await adjust('-31.00', `k-${c.userId}-1`)).body.code).toBe('idempotency_key_reused');

    expect((await adjust('5.50', `k-${c.userId}-2`)).status).toBe(201);
    const overdraw = await adjust('-75.51', `k-${c.userId}-3`);
    expect(overdraw.status).toBe(422);
    expect(overdraw.body.code).toBe('insufficient_funds');
    const noKey = await as(admin.accessToken)
      .post(`/admin/users/${c.userId}/balance/adjustments`)
      .send({ amount: '1.00', reason: 'x' });
    expect(noKey.status).toBe(422);
    expect((await adjust('0', `k-${c.userId}-4`)).status).toBe(422);
    expect(
      (
        await as(c.accessToken)
          .post(`/admin/users/${c.userId}/balance/adjustments`)
          .set('Idempotency-Key', 'self')
          .send({ amount: '1000.00', reason: 'x' })
      ).status,
    ).toBe(403);

    const balance = await as(c.accessToken).get('/users/me/balance').expect(200);
    expect(balance.body.current_balance).toBe('75.50');
    const report = await as(admin.accessToken)
      .get(`/internal/users/${c.userId}/reconcile`)
      .expect(200);
    expect(report.body.ok).toBe(true);
    expect(report.body.transaction_count).toBe(3);
    const audit = t.logs.lines.filter((l) => l.includes('"admin.balance_adjustment"'));
    expect(audit.some((l) => l.includes(`"admin_id":"${admin.userId}"`))).toBe(true);
  });

  describe('npm run user:create-admin: the password off the command line', () => {
    const env = () => ({
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      DYNAMODB_ENDPOINT: t.config.dynamodb.endpoint!,
      DYNAMODB_TABLE_NAME: t.config.dynamodb.tableName,
      JWT_SECRET_KEY: TEST_JWT_SECRET,
      BCRYPT_COST: '4',
      LOG_LEVEL: 'warn',
    });
    const run = (args: string[], extraEnv: Record<string, string>, stdin?: string) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(
          process.execPath,
          [
            '-r',
            'ts-node/register/transpile-only',
            join(ROOT, 'src', 'cli', 'create-admin.ts'),
            ...args,
          ],
          { cwd: ROOT, env: { ...env(), ...extraEnv } },
        );
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        child.on('exit', (code) => resolve({ code, out }));
        child.stdin.end(stdin ?? '');
      });

    it('takes it from ADMIN_PASSWORD or stdin; promotion needs the user’s own password', async () => {
      const viaEnv = uniqueUsername('adm');
      const p1 = strongPassword();
      recordSecrets(p1);
      const r1 = await run(['--username', viaEnv, '--email', `${viaEnv}@example.com`], {
        ADMIN_PASSWORD: p1,
      });
      expect(r1.code).toBe(0);
      expect(r1.out).not.toContain(p1);
      await loginUser(t.http, viaEnv, p1);

      const viaStdin = uniqueUsername('adm');
      const p2 = strongPassword();
      recordSecrets(p2);
      const r2 = await run(
        ['--username', viaStdin, '--email', `${viaStdin}@example.com`],
        {},
        `${p2}\n`,
      );
      expect(r2.code).toBe(0);
      await loginUser(t.http, viaStdin, p2);

      const c = await createCustomer(t.http);
      const wrong = await run(['--username', c.username, '--email', c.email], {
        ADMIN_PASSWORD: strongPassword(),
      });
      expect(wrong.code).toBe(1);
      expect(wrong.out).toMatch(/invalid_credentials/);
      const right = await run(
        ['--username', c.username, '--email', c.email],
        {},
        `${c.password}\n`,
      );
      expect(right.code).toBe(0);
      expect(right.out).toMatch(/Promoted admin/);
    });
  });
});
