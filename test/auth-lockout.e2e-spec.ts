import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { Api, listen } from './utils/ledger-http';
import { startTestApp, TestApp } from './utils/test-app';
import { loginUser, registerUser, uniqueUsername } from './utils/users';
import { expectProblem } from './utils/problems';

/** One client IP per request, through a trusted proxy hop (TRUST_PROXY=1). */
describe('auth: per-account lockout (e2e, TRUST_PROXY=1)', () => {
  let t: TestApp;
  let api: Api;
  const fromIp = (ip: string, body: object) =>
    api.call('POST', '/auth/login', { body, headers: { 'X-Forwarded-For': ip } });

  beforeAll(async () => {
    t = await startTestApp('lockout', { TRUST_PROXY: '1' });
    api = await listen(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses the sixth wrong password from six different IPs with 429, and then the right one too', async () => {
    const u = await registerUser(t.http);
    for (let i = 1; i <= 5; i++) {
      const res = await fromIp(`198.51.100.${i}`, {
        username: u.username,
        password: `wrong password ${i}`,
      });
      expectProblem(res, 401, 'invalid_credentials');
    }
    const sixth = await fromIp('198.51.100.6', {
      username: u.username,
      password: 'wrong password 6',
    });
    expectProblem(sixth, 429, 'account_locked');
    const retryAfter = Number(sixth.headers.get('retry-after'));
    const answeredAt = Math.ceil(Date.now() / 1000);

    const right = await fromIp('198.51.100.7', { username: u.username, password: u.password });
    expectProblem(right, 429, 'account_locked');
    // By e-mail it is the same account, so the same lock.
    expectProblem(
      await fromIp('198.51.100.8', { username: u.email, password: u.password }),
      429,
      'account_locked',
    );

    const item = await DynamoDBDocumentClient.from(t.ddb).send(
      new GetCommand({
        TableName: t.config.dynamodb.tableName,
        Key: { PK: `LOGIN#${u.username}`, SK: `LOGIN#${u.username}` },
      }),
    );
    expect(item.Item).toMatchObject({ attempts: 5 });
    // Locked for the 15-minute window after the fifth (last counted) attempt; the item lives 60 s
    // longer so that its TTL never races the lock check.
    const last = Number(item.Item?.last_attempt_at);
    expect(Number(item.Item?.expires_at)).toBe(last + 15 * 60 + 60);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    expect(retryAfter).toBeGreaterThanOrEqual(last + 15 * 60 - answeredAt);

    const events = t.logs.lines
      .map((l) => JSON.parse(l))
      .filter((e) => e.audit && e.user_id === u.userId);
    const failures = events.filter((e) => e.event === 'auth.login' && e.result === 'failure');
    expect(failures.map((e) => e.ip)).toEqual([
      '198.51.100.1',
      '198.51.100.2',
      '198.51.100.3',
      '198.51.100.4',
      '198.51.100.5',
    ]);
    expect(
      events.filter((e) => e.event === 'auth.lockout').map((e) => [e.ip, e.count, e.result]),
    ).toEqual([['198.51.100.5', 5, 'locked']]);
    expect(
      events
        .filter((e) => e.event === 'auth.login' && e.result === 'locked')
        .map((e) => [e.ip, e.reason]),
    ).toEqual([
      ['198.51.100.6', 'account_locked'],
      ['198.51.100.7', 'account_locked'],
      ['198.51.100.8', 'account_locked'],
    ]);
  });

  it('locks an identifier that matches no user in exactly the same way', async () => {
    const ghost = uniqueUsername('ghost');
    const codes: string[] = [];
    for (let i = 1; i <= 6; i++) {
      const res = await fromIp(`203.0.113.${i}`, {
        username: ghost,
        password: 'whatever it is',
      });
      codes.push(`${res.status} ${res.body.code}`);
    }
    expect(codes).toEqual([...Array(5).fill('401 invalid_credentials'), '429 account_locked']);
  });

  it('resets the count after a successful login', async () => {
    const u = await registerUser(t.http);
    for (let i = 0; i < 4; i++) {
      expectProblem(
        await fromIp('192.0.2.1', { username: u.username, password: 'nope nope nope' }),
        401,
        'invalid_credentials',
      );
    }
    await loginUser(t.http, u.username, u.password);
    for (let i = 0; i < 4; i++) {
      expectProblem(
        await fromIp('192.0.2.2', { username: u.username, password: 'nope nope nope' }),
        401,
        'invalid_credentials',
      );
    }
    await expect(loginUser(t.http, u.username, u.password)).resolves.toMatchObject({
      userId: u.userId,
    });
  });

  it('does not let parallel guesses overshoot the limit', async () => {
    const u = await registerUser(t.http);
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        fromIp(`192.0.2.${100 + i}`, { username: u.username, password: `parallel guess ${i}` }),
      ),
    );
    const codes = results.map((r) => `${r.status} ${r.body.code}`);
    expect(codes.filter((s) => s === '401 invalid_credentials')).toHaveLength(5);
    expect(codes.filter((s) => s === '429 account_locked')).toHaveLength(7);
  });
});
