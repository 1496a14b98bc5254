import request from 'supertest';
import { startTestApp, TestApp } from './utils/test-app';
import { createCustomer } from './utils/users';

describe('rate-limit headers (e2e)', () => {
  const apps: TestApp[] = [];
  afterAll(async () => {
    for (const t of apps.reverse()) await t.close();
  });
  const start = async (label: string, env: Record<string, string>) => {
    const t = await startTestApp(label, { RATE_LIMIT_ENABLED: 'true', ...env });
    apps.push(t);
    return t;
  };

  it.each(['/', '/docs-json', '/docs', '/no/such/route', '/health', '/metrics'])(
    'GET %s carries the general limit headers',
    async (path) => {
      const t = apps[0] ?? (await start('rl_headers', { RATE_LIMIT_PER_MINUTE: '1000' }));
      const res = await request(t.http).get(path);
      expect(res.status).toBeLessThan(500);
      expect(res.headers['x-ratelimit-limit']).toBe('1000');
      expect(Number(res.headers['x-ratelimit-remaining'])).toBeLessThan(1000);
      expect(Number(res.headers['x-ratelimit-reset'])).toBeGreaterThan(0);
    },
  );

  it('blocks unknown routes too once the general limit is spent (429, not 404)', async () => {
    const t = await start('rl_404', { RATE_LIMIT_PER_MINUTE: '3' });
    for (let i = 0; i < 3; i++) expect((await request(t.http).get('/nope')).status).toBe(404);
    const res = await request(t.http).get('/nope');
    expect(res.status).toBe(429);
    expect(res.body.code).toBe('rate_limited');
    expect(res.headers['retry-after']).toBe(res.headers['x-ratelimit-reset']);
    expect(res.headers['x-request-id']).toBe(res.body.request_id);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('a money 429 has Retry-After equal to X-RateLimit-Reset-Money', async () => {
    const t = await start('rl_money_reset', { MONEY_RATE_LIMIT_PER_MINUTE: '2' });
    const alice = await createCustomer(t.http);
    const deposit = () =>
      request(t.http)
        .post('/users/me/balance/deposit')
        .set('Authorization', `Bearer ${alice.accessToken}`)
        .send({ amount: '1.00' });
    for (let i = 0; i < 2; i++) expect((await deposit()).status).toBe(201);
    // Let the window age, so a reset taken from the window and one taken from the block differ.
    await new Promise((r) => setTimeout(r, 2_100));
    const res = await deposit();
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe(res.headers['x-ratelimit-reset-money']);
  });
});
