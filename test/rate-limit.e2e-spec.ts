import { Api, ApiResponse, listen } from './utils/ledger-http';
import { startTestApp, TestApp } from './utils/test-app';
import { createCustomer } from './utils/users';
import { expectProblem } from './utils/problems';

/** Each test app's client. */
const clients = new Map<TestApp, Api>();
const api = (t: TestApp) => clients.get(t)!;

const login = (t: TestApp, xff?: string) =>
  api(t).call('POST', '/auth/login', {
    body: { username: 'nobody_at_all', password: 'not a real password' },
    headers: xff ? { 'X-Forwarded-For': xff } : {},
  });

/** A login the limiter let through: the unknown user's 401. */
async function expectLetThrough(res: Promise<ApiResponse>): Promise<void> {
  expectProblem(await res, 401, 'invalid_credentials');
}

/** A protected route the limiter let through without a token: 401 unauthorized. */
async function expectUnauthenticated(res: Promise<ApiResponse>): Promise<ApiResponse> {
  const answer = await res;
  expectProblem(answer, 401, 'unauthorized');
  return answer;
}

function expectRateLimited(res: ApiResponse): void {
  expectProblem(res, 429, 'rate_limited');
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
}

describe('rate limits (e2e, in-memory store)', () => {
  const apps: TestApp[] = [];
  const start = async (label: string, env: Record<string, string>) => {
    const t = await startTestApp(label, { RATE_LIMIT_ENABLED: 'true', ...env });
    apps.push(t);
    clients.set(t, await listen(t));
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
        expectProblem(res, 401, 'invalid_credentials');
        expect(res.headers.get('x-ratelimit-limit-auth')).toBe('3');
        expect(res.headers.get('x-ratelimit-remaining-auth')).toBe(String(3 - i));
        const reset = Number(res.headers.get('x-ratelimit-reset-auth'));
        expect(reset).toBeGreaterThanOrEqual(1);
        expect(reset).toBeLessThanOrEqual(60);
        expect(res.headers.get('x-ratelimit-limit')).toBe('1000');
      }
      expectRateLimited(await login(t));
      // Registration is under /auth/* too.
      expectRateLimited(await api(t).call('POST', '/auth/register', { body: {} }));
    });

    it('ignores a spoofed X-Forwarded-For: the limit is not reset', async () => {
      for (let i = 0; i < 3; i++) await expectLetThrough(login(t));
      expectRateLimited(await login(t));
      for (const ip of ['203.0.113.1', '203.0.113.2', '10.0.0.1, 203.0.113.3']) {
        expectRateLimited(await login(t, ip));
      }
    });

    it('leaves other routes to the general limit', async () => {
      const res = await expectUnauthenticated(api(t).call('GET', '/users/me/profile'));
      expect(res.headers.get('x-ratelimit-limit-auth')).toBeNull();
      expect(res.headers.get('x-ratelimit-limit')).toBe('1000');
    });
  });

  it('applies the general per-client limit before authentication', async () => {
    const t = await start('rl_general', { RATE_LIMIT_PER_MINUTE: '4' });
    for (let i = 0; i < 4; i++)
      await expectUnauthenticated(api(t).call('GET', '/users/me/profile'));
    expectRateLimited(await api(t).call('GET', '/users/me/profile'));
    // Health and metrics stay reachable for probes.
    const health = await api(t).call('GET', '/health');
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('healthy');
    expect((await api(t).call('GET', '/metrics')).status).toBe(200);
  });

  it('with TRUST_PROXY=1 takes the client IP from the last X-Forwarded-For hop', async () => {
    const t = await start('rl_proxy', { TRUST_PROXY: '1', AUTH_RATE_LIMIT_PER_MINUTE: '2' });
    await expectLetThrough(login(t, '198.51.100.1'));
    await expectLetThrough(login(t, '198.51.100.1'));
    expectRateLimited(await login(t, '198.51.100.1'));
    // A client-supplied left-most entry does not change who the proxy says the client is.
    expectRateLimited(await login(t, '192.0.2.77, 198.51.100.1'));
    // Another client behind the same proxy has its own budget.
    await expectLetThrough(login(t, '198.51.100.2'));
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
      api(t).post(
        '/users/me/balance/deposit',
        token,
        { amount: '1.00' },
        { 'X-Forwarded-For': ip },
      );
    for (const [ip, balance] of [
      ['192.0.2.1', '1.00'],
      ['192.0.2.2', '2.00'],
    ]) {
      const res = await deposit(alice.accessToken, ip);
      expect(res.status).toBe(201);
      expect(res.body.balance.current_balance).toBe(balance);
      expect(res.headers.get('x-ratelimit-limit-money')).toBe('2');
    }
    expectRateLimited(await deposit(alice.accessToken, '192.0.2.3'));
    const bobs = await deposit(bob.accessToken, '192.0.2.3');
    expect(bobs.status).toBe(201);
    expect(bobs.body.balance.current_balance).toBe('1.00');
    // Reads are not money operations.
    const read = await api(t).get('/users/me/profile', alice.accessToken);
    expect(read.status).toBe(200);
    expect(read.body.user_id).toBe(alice.userId);
    expect(read.headers.get('x-ratelimit-limit-money')).toBeNull();
  });

  it('does nothing at all with RATE_LIMIT_ENABLED=false', async () => {
    const t = await start('rl_off', {
      RATE_LIMIT_ENABLED: 'false',
      AUTH_RATE_LIMIT_PER_MINUTE: '1',
      RATE_LIMIT_PER_MINUTE: '1',
    });
    for (let i = 0; i < 4; i++) {
      const res = await login(t);
      expectProblem(res, 401, 'invalid_credentials');
      expect(res.headers.get('x-ratelimit-limit')).toBeNull();
    }
  });
});
