import request from 'supertest';
import { startTestApp, TestApp } from './utils/test-app';
import { createCustomer } from './utils/users';
import { expectProblem } from './utils/problems';

const login = (t: TestApp, xff?: string) => {
  const call = request(t.http).post('/auth/login');
  if (xff) call.set('X-Forwarded-For', xff);
  return call.send({ username: 'nobody_at_all', password: 'not a real password' });
};

function expectRateLimited(res: request.Response): void {
  expectProblem(res, 429, 'rate_limited');
  const retryAfter = Number(res.headers['retry-after']);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
}

describe('rate limits (e2e, in-memory store)', () => {
  const apps: TestApp[] = [];
  const start = async (label: string, env: Record<string, string>) => {
    const t = await startTestApp(label, { RATE_LIMIT_ENABLED: 'true', ...env });
    apps.push(t);
    return t;
  };
  afterAll(async () => {
    for (const t of apps.reverse()) await t.close();
  });

  describe('TRUST_PROXY=0', () => {
    let t: TestApp;
    // A fresh app (and so a fresh budget for this client) per test: no test spends another's.
    beforeEach(async () => {
      t = await start('rl_direct', {
        TRUST_PROXY: '0',
        AUTH_RATE_LIMIT_PER_MINUTE: '3',
        RATE_LIMIT_PER_MINUTE: '1000',
      });
    });

    it('limits /auth/* per client with the auth limit, headers on every response', async () => {
      for (let i = 1; i <= 3; i++) {
        const res = await login(t);
        expect(res.status).toBe(401);
        expect(res.headers['x-ratelimit-limit-auth']).toBe('3');
        expect(res.headers['x-ratelimit-remaining-auth']).toBe(String(3 - i));
        expect(Number(res.headers['x-ratelimit-reset-auth'])).toBeGreaterThan(0);
        expect(res.headers['x-ratelimit-limit']).toBe('1000');
      }
      expectRateLimited(await login(t));
      // Registration is under /auth/* too.
      expectRateLimited(await request(t.http).post('/auth/register').send({}));
    });

    it('ignores a spoofed X-Forwarded-For: the limit is not reset', async () => {
      for (let i = 0; i < 3; i++) expect((await login(t)).status).toBe(401);
      expectRateLimited(await login(t));
      for (const ip of ['203.0.113.1', '203.0.113.2', '10.0.0.1, 203.0.113.3']) {
        expectRateLimited(await login(t, ip));
      }
    });

    it('leaves other routes to the general limit', async () => {
      const res = await request(t.http).get('/users/me/profile');
      expect(res.status).toBe(401);
      expect(res.headers['x-ratelimit-limit-auth']).toBeUndefined();
      expect(res.headers['x-ratelimit-limit']).toBe('1000');
    });
  });

  it('applies the general per-client limit before authentication', async () => {
    const t = await start('rl_general', { RATE_LIMIT_PER_MINUTE: '4' });
    for (let i = 0; i < 4; i++)
      expect((await request(t.http).get('/users/me/profile')).status).toBe(401);
    expectRateLimited(await request(t.http).get('/users/me/profile'));
    // Health and metrics stay reachable for probes.
    expect((await request(t.http).get('/health')).status).toBe(200);
  });

  it('with TRUST_PROXY=1 takes the client IP from the last X-Forwarded-For hop', async () => {
    const t = await start('rl_proxy', { TRUST_PROXY: '1', AUTH_RATE_LIMIT_PER_MINUTE: '2' });
    expect((await login(t, '198.51.100.1')).status).toBe(401);
    expect((await login(t, '198.51.100.1')).status).toBe(401);
    expectRateLimited(await login(t, '198.51.100.1'));
    // A client-supplied left-most entry does not change who the proxy says the client is.
    expectRateLimited(await login(t, '192.0.2.77, 198.51.100.1'));
    // Another client behind the same proxy has its own budget.
    expect((await login(t, '198.51.100.2')).status).toBe(401);
    const failures = t.logs.lines
      .map((l) => JSON.parse(l))
      .filter((e) => e.event === 'auth.login' && e.result === 'failure');
    expect(failures.map((e) => e.ip)).toEqual(['198.51.100.1', '198.51.100.1', '198.51.100.2']);
  });

  it('limits money routes per user, whatever the IP', async () => {
    const t = await start('rl_money', { TRUST_PROXY: '1', MONEY_RATE_LIMIT_PER_MINUTE: '2' });
    const route = { method: 'POST' as const, url: '/users/:user_id/balance/deposit' };
    expect(t.app.getHttpAdapter().getInstance().hasRoute(route)).toBe(true);
    const alice = await createCustomer(t.http);
    const bob = await createCustomer(t.http);
    const deposit = (token: string, ip: string) =>
      request(t.http)
        .post('/users/me/balance/deposit')
        .set('Authorization', `Bearer ${token}`)
        .set('X-Forwarded-For', ip)
        .send({ amount: '1.00' });
    for (const ip of ['192.0.2.1', '192.0.2.2']) {
      const res = await deposit(alice.accessToken, ip);
      expect(res.status).toBe(201);
      expect(res.headers['x-ratelimit-limit-money']).toBe('2');
    }
    expectRateLimited(await deposit(alice.accessToken, '192.0.2.3'));
    expect((await deposit(bob.accessToken, '192.0.2.3')).status).toBe(201);
    // Reads are not money operations.
    const read = await request(t.http)
      .get('/users/me/profile')
      .set('Authorization', `Bearer ${alice.accessToken}`);
    expect(read.status).toBe(200);
    expect(read.headers['x-ratelimit-limit-money']).toBeUndefined();
  });

  it('does nothing at all with RATE_LIMIT_ENABLED=false', async () => {
    const t = await start('rl_off', {
      RATE_LIMIT_ENABLED: 'false',
      AUTH_RATE_LIMIT_PER_MINUTE: '1',
      RATE_LIMIT_PER_MINUTE: '1',
    });
    for (let i = 0; i < 4; i++) {
      const res = await login(t);
      expect(res.status).toBe(401);
      expect(res.headers['x-ratelimit-limit']).toBeUndefined();
    }
  });
});
