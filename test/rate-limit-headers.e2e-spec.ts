import { Api, listen } from './utils/ledger-http';
import { expectProblem } from './utils/problems';
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
    return { t, api: await listen(t) };
  };

  let general: { api: Api; sent: number } | undefined;
  it.each([
    ['/', 200],
    ['/docs-json', 200],
    ['/docs', 200],
    ['/no/such/route', 404],
    ['/health', 200],
    ['/metrics', 200],
  ])('GET %s carries the general limit headers', async (path, status) => {
    general ??= {
      api: (await start('rl_headers', { RATE_LIMIT_PER_MINUTE: '1000' })).api,
      sent: 0,
    };
    const res = await general.api.call('GET', path);
    general.sent += 1;
    expect(res.status).toBe(status);
    expect(res.headers.get('x-ratelimit-limit')).toBe('1000');
    // Every request of this app so far, this one included, is counted in the one-minute window.
    expect(res.headers.get('x-ratelimit-remaining')).toBe(String(1000 - general.sent));
    const reset = Number(res.headers.get('x-ratelimit-reset'));
    expect(reset).toBeGreaterThanOrEqual(1);
    expect(reset).toBeLessThanOrEqual(60);
  });

  it('blocks unknown routes too once the general limit is spent (429, not 404)', async () => {
    const { api } = await start('rl_404', { RATE_LIMIT_PER_MINUTE: '3' });
    for (let i = 0; i < 3; i++) expectProblem(await api.call('GET', '/nope'), 404, 'not_found');
    const res = await api.call('GET', '/nope');
    expectProblem(res, 429, 'rate_limited');
    expect(res.headers.get('retry-after')).toBe(res.headers.get('x-ratelimit-reset'));
    expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('a money 429 has Retry-After equal to X-RateLimit-Reset-Money', async () => {
    const { t, api } = await start('rl_money_reset', { MONEY_RATE_LIMIT_PER_MINUTE: '2' });
    const alice = await createCustomer(t.http);
    const deposit = () =>
      api.post('/users/me/balance/deposit', alice.accessToken, { amount: '1.00' });
    for (const balance of ['1.00', '2.00'])
      expect((await deposit()).body.balance.current_balance).toBe(balance);
    // Let the window age, so a reset taken from the window and one taken from the block differ.
    await new Promise((r) => setTimeout(r, 2_100));
    const res = await deposit();
    expectProblem(res, 429, 'rate_limited');
    expect(res.headers.get('retry-after')).toBe(res.headers.get('x-ratelimit-reset-money'));
  });
});
