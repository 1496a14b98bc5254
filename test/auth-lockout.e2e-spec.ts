import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import request from 'supertest';
import { startTestApp, TestApp } from './utils/test-app';
import { loginUser, registerUser, uniqueUsername } from './utils/users';
import { expectProblem } from './utils/problems';

/** One client IP per request, through a trusted proxy hop (TRUST_PROXY=1). */
const fromIp = (t: TestApp, ip: string, body: object) =>
  request(t.http).post('/auth/login').set('X-Forwarded-For', ip).send(body);

describe('auth: per-account lockout (e2e, TRUST_PROXY=1)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp('lockout', { TRUST_PROXY: '1' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses the sixth wrong password from six different IPs with 429, and then the right one too', async () => {
    const u = await registerUser(t.http);
    for (let i = 1; i <= 5; i++) {
      const res = await fromIp(t, `198.51.100.${i}`, {
        username: u.username,
        password: `wrong password ${i}`,
      });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('invalid_credentials');
    }
    const sixth = await fromIp(t, '198.51.100.6', {
      username: u.username,
      password: 'wrong password 6',
    });
    expectProblem(sixth, 429, 'account_locked');
    const retryAfter = Number(sixth.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(14 * 60);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);

    const right = await fromIp(t, '198.51.100.7', { username: u.username, password: u.password });
    expect(right.status).toBe(429);
    expect(right.body.code).toBe('account_locked');
    // By e-mail it is the same account, so the same lock.
    expect(
      (await fromIp(t, '198.51.100.8', { username: u.email, password: u.password })).status,
    ).toBe(429);

    const item = await DynamoDBDocumentClient.from(t.ddb).send(
      new GetCommand({
        TableName: t.config.dynamodb.tableName,
        Key: { PK: `LOGIN#${u.username}`, SK: `LOGIN#${u.username}` },
      }),
    );
    expect(item.Item).toMatchObject({ attempts: 5 });
    const ttl = Number(item.Item?.expires_at);
    expect(ttl).toBeGreaterThan(Date.now() / 1000 + 14 * 60);

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
    expect(events.some((e) => e.event === 'auth.lockout')).toBe(true);
    expect(
      events.filter((e) => e.event === 'auth.login' && e.result === 'locked').length,
    ).toBeGreaterThanOrEqual(2);
  });

  it('locks an identifier that matches no user in exactly the same way', async () => {
    const ghost = uniqueUsername('ghost');
    const statuses: number[] = [];
    for (let i = 1; i <= 6; i++) {
      statuses.push(
        (await fromIp(t, `203.0.113.${i}`, { username: ghost, password: 'whatever it is' })).status,
      );
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it('resets the count after a successful login', async () => {
    const u = await registerUser(t.http);
    for (let i = 0; i < 4; i++) {
      expect(
        (await fromIp(t, '192.0.2.1', { username: u.username, password: 'nope nope nope' })).status,
      ).toBe(401);
    }
    await loginUser(t.http, u.username, u.password);
    for (let i = 0; i < 4; i++) {
      expect(
        (await fromIp(t, '192.0.2.2', { username: u.username, password: 'nope nope nope' })).status,
      ).toBe(401);
    }
    await expect(loginUser(t.http, u.username, u.password)).resolves.toMatchObject({
      userId: u.userId,
    });
  });

  it('does not let parallel guesses overshoot the limit', async () => {
    const u = await registerUser(t.http);
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        fromIp(t, `192.0.2.${100 + i}`, { username: u.username, password: `parallel guess ${i}` }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(7);
  });
});
