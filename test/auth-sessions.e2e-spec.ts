import { randomBytes } from 'node:crypto';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
} from '@aws-sdk/lib-dynamodb';
import request from 'supertest';
import { SessionRepository } from '../src/auth/sessions/session.repository';
import { startTestApp, TEST_JWT_SECRET, TestApp } from './utils/test-app';
import { createCustomer, Customer, loginUser, strongPassword } from './utils/users';
import { expectProblem } from './utils/problems';
import { base64urlJson as b64, jwtClaims, signJwt } from './utils/jwt';

describe('auth: tokens and sessions (e2e)', () => {
  let t: TestApp;
  const secrets = new Set<string>();
  const remember = (c: Customer) => {
    for (const s of [c.password, c.accessToken, c.refreshToken]) secrets.add(s);
    return c;
  };

  beforeAll(async () => {
    t = await startTestApp('sessions');
  });
  afterAll(async () => {
    await t.close();
  });

  const profile = (token: string) =>
    request(t.http).get('/users/me/profile').set('Authorization', `Bearer ${token}`);
  const refresh = (token: string) =>
    request(t.http).post('/auth/refresh').send({ refresh_token: token });
  async function secondSession(c: Customer): Promise<Customer> {
    return remember({ ...c, ...(await loginUser(t.http, c.username, c.password)) });
  }

  describe('logout', () => {
    it('revokes the session: its access and refresh tokens get 401 at once', async () => {
      const c = remember(await createCustomer(t.http));
      await profile(c.accessToken).expect(200);
      const res = await request(t.http)
        .post('/auth/logout')
        .set('Authorization', `Bearer ${c.accessToken}`)
        .expect(200);
      expect(res.body).toEqual({ message: 'Logged out successfully' });
      const after = await profile(c.accessToken);
      expect(after.status).toBe(401);
      expect(after.body.code).toBe('invalid_token');
      expect((await refresh(c.refreshToken)).status).toBe(401);
    });

    it("accepts old clients' {access_token} body and leaves the user's other sessions alone", async () => {
      const c = remember(await createCustomer(t.http));
      const other = await secondSession(c);
      await request(t.http)
        .post('/auth/logout')
        .set('Authorization', `Bearer ${c.accessToken}`)
        .send({ access_token: c.accessToken })
        .expect(200);
      await profile(c.accessToken).expect(401);
      await profile(other.accessToken).expect(200);
    });

    it('needs a bearer token (401) and rejects unknown body fields (422)', async () => {
      const c = remember(await createCustomer(t.http));
      expect((await request(t.http).post('/auth/logout')).status).toBe(401);
      const res = await request(t.http)
        .post('/auth/logout')
        .set('Authorization', `Bearer ${c.accessToken}`)
        .send({ everything: true });
      expect(res.status).toBe(422);
      await profile(c.accessToken).expect(200);
    });
  });

  describe('refresh', () => {
    it('rotates the refresh token; the new pair works', async () => {
      const c = remember(await createCustomer(t.http));
      const res = await refresh(c.refreshToken).expect(200);
      secrets.add(res.body.access_token);
      secrets.add(res.body.refresh_token);
      expect(res.body).toMatchObject({ token_type: 'bearer', user_id: c.userId, expires_in: 1800 });
      expect(res.body.refresh_token).not.toBe(c.refreshToken);
      await profile(res.body.access_token).expect(200);
      const again = await refresh(res.body.refresh_token).expect(200);
      secrets.add(again.body.access_token);
      secrets.add(again.body.refresh_token);
    });

    it('kills the whole session when an already-rotated refresh token is reused', async () => {
      const c = remember(await createCustomer(t.http));
      const rotated = await refresh(c.refreshToken).expect(200);
      secrets.add(rotated.body.refresh_token);
      secrets.add(rotated.body.access_token);
      const reuse = await refresh(c.refreshToken);
      expect(reuse.status).toBe(401);
      expect(reuse.body.code).toBe('invalid_refresh_token');
      expect((await refresh(rotated.body.refresh_token)).status).toBe(401);
      await profile(rotated.body.access_token).expect(401);
      await profile(c.accessToken).expect(401);
      const audit = t.logs.lines
        .map((l) => JSON.parse(l))
        .find((e) => e.event === 'auth.refresh_reuse' && e.user_id === c.userId);
      expect(audit).toMatchObject({ result: 'detected' });
    });

    it('refuses a forged secret for a real user and session (401) without ending the session', async () => {
      const c = remember(await createCustomer(t.http));
      // Both ids are readable from any access token, even an expired one.
      const claims = jwtClaims(c.accessToken);
      const forged = `${claims.sub}.${claims.sid}.${randomBytes(32).toString('base64url')}`;
      expect(forged.split('.').slice(0, 2)).toEqual(c.refreshToken.split('.').slice(0, 2));
      for (let i = 0; i < 3; i++) {
        const res = await refresh(forged);
        expect(res.status).toBe(401);
        expect(res.body.code).toBe('invalid_refresh_token');
      }
      await profile(c.accessToken).expect(200);
      const rotated = await refresh(c.refreshToken).expect(200);
      secrets.add(rotated.body.access_token);
      secrets.add(rotated.body.refresh_token);
      await profile(rotated.body.access_token).expect(200);
      const reuseEvents = t.logs.lines
        .map((l) => JSON.parse(l))
        .filter((e) => e.event === 'auth.refresh_reuse' && e.user_id === c.userId);
      expect(reuseEvents).toEqual([]);
    });

    it('lets one of two racing refreshes of the same token win; the session then dies as reuse', async () => {
      const c = remember(await createCustomer(t.http));
      const results = await Promise.all([refresh(c.refreshToken), refresh(c.refreshToken)]);
      const won = results.filter((r) => r.status === 200);
      expect(won).toHaveLength(1);
      expect(results.filter((r) => r.status === 401)).toHaveLength(1);
      secrets.add(won[0].body.access_token);
      secrets.add(won[0].body.refresh_token);
      expect((await refresh(won[0].body.refresh_token)).status).toBe(401);
      await profile(won[0].body.access_token).expect(401);
    });

    it('tells a rotation that lost to a revocation (gone) from one that lost to reuse', async () => {
      const c = remember(await createCustomer(t.http));
      const sid = jwtClaims(c.accessToken).sid;
      const repo = t.app.get(SessionRepository);
      const next = {
        refreshHash: 'h2',
        usedRefreshHashes: [],
        lastUsedAt: new Date().toISOString(),
        expiresAt: Math.floor(Date.now() / 1000) + 60,
        ip: null,
        userAgent: null,
      };
      await expect(repo.rotate(c.userId, sid, 'not-the-hash', next)).resolves.toBe('reused');
      await repo.revoke(c.userId, sid);
      await expect(repo.rotate(c.userId, sid, 'not-the-hash', next)).resolves.toBe('gone');
    });

    it('never takes an access token as a refresh token, nor the reverse', async () => {
      const c = remember(await createCustomer(t.http));
      expect((await refresh(c.accessToken)).status).toBe(401);
      expect((await profile(c.refreshToken)).status).toBe(401);
      await profile(c.accessToken).expect(200);
    });
  });

  describe('password change', () => {
    it("revokes every other session; the caller's session, the new password and nothing else work", async () => {
      const c = remember(await createCustomer(t.http));
      const other = await secondSession(c);
      const next = strongPassword();
      secrets.add(next);
      const res = await request(t.http)
        .post('/users/me/password')
        .set('Authorization', `Bearer ${c.accessToken}`)
        .send({ current_password: c.password, new_password: next })
        .expect(200);
      expect(res.body).toEqual({ message: 'Password changed successfully' });
      await profile(other.accessToken).expect(401);
      expect((await refresh(other.refreshToken)).status).toBe(401);
      await profile(c.accessToken).expect(200);
      expect(
        (
          await request(t.http)
            .post('/auth/login')
            .send({ username: c.username, password: c.password })
        ).status,
      ).toBe(401);
      const relogin = await loginUser(t.http, c.username, next);
      secrets.add(relogin.accessToken);
      secrets.add(relogin.refreshToken);
    });

    it('keeps the other sessions dead by credential_version even if their items survive', async () => {
      const c = remember(await createCustomer(t.http));
      const other = await secondSession(c);
      const doc = DynamoDBDocumentClient.from(t.ddb);
      const table = t.config.dynamodb.tableName;
      const otherSid = jwtClaims(other.accessToken).sid;
      const mySid = jwtClaims(c.accessToken).sid;
      const key = { PK: c.userId, SK: `SESSION#${otherSid}` };
      const before = await doc.send(new GetCommand({ TableName: table, Key: key }));
      expect(before.Item).toBeDefined();
      const next = strongPassword();
      secrets.add(next);
      await request(t.http)
        .post('/users/me/password')
        .set('Authorization', `Bearer ${c.accessToken}`)
        .send({ current_password: c.password, new_password: next })
        .expect(200);
      const user = await doc.send(
        new GetCommand({ TableName: table, Key: { PK: c.userId, SK: c.userId } }),
      );
      expect(user.Item).toMatchObject({
        credential_version: 1,
        password_changed_at: user.Item?.updated_at,
        password_changed_by_session: mySid,
      });
      expect(user.Item?.password_changed_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      // The changer session was moved to the new version in the same transaction.
      const mineItem = await doc.send(
        new GetCommand({ TableName: table, Key: { PK: c.userId, SK: `SESSION#${mySid}` } }),
      );
      expect(mineItem.Item?.credential_version).toBe(1);
      expect(before.Item?.credential_version).toBe(0);
      // As if the best-effort delete had failed: the other session's item is back.
      await doc.send(new PutCommand({ TableName: table, Item: before.Item }));
      const res = await profile(other.accessToken);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('invalid_token');
      expect((await refresh(other.refreshToken)).status).toBe(401);
      await profile(c.accessToken).expect(200);
      const mine = await refresh(c.refreshToken).expect(200);
      secrets.add(mine.body.access_token);
      secrets.add(mine.body.refresh_token);
      await profile(mine.body.access_token).expect(200);
      // A second change from the same session: it survives again; the other stays dead.
      const third = strongPassword();
      secrets.add(third);
      await request(t.http)
        .post('/users/me/password')
        .set('Authorization', `Bearer ${mine.body.access_token}`)
        .send({ current_password: next, new_password: third })
        .expect(200);
      await doc.send(new PutCommand({ TableName: table, Item: before.Item }));
      expect((await profile(other.accessToken)).status).toBe(401);
      await profile(mine.body.access_token).expect(200);
      const again = await refresh(mine.body.refresh_token).expect(200);
      secrets.add(again.body.access_token);
      secrets.add(again.body.refresh_token);
    });

    it('refuses a wrong current password (422) and a weak new one (422 naming new_password)', async () => {
      const c = remember(await createCustomer(t.http));
      const wrong = await request(t.http)
        .post(`/users/${c.userId}/password`)
        .set('Authorization', `Bearer ${c.accessToken}`)
        .send({ current_password: 'not my password', new_password: strongPassword() });
      expect(wrong.status).toBe(422);
      expect(wrong.body.code).toBe('invalid_current_password');
      const weak = await request(t.http)
        .post(`/users/${c.userId}/password`)
        .set('Authorization', `Bearer ${c.accessToken}`)
        .send({ current_password: c.password, new_password: 'qwerty123456' });
      expect(weak.status).toBe(422);
      expect(weak.body.errors[0].field).toBe('new_password');
      await profile(c.accessToken).expect(200);
    });
  });

  describe('sessions', () => {
    it('lists live sessions with the current one marked, and revokes another by id (204)', async () => {
      const c = remember(await createCustomer(t.http));
      const other = await secondSession(c);
      const list = await request(t.http)
        .get('/users/me/sessions')
        .set('Authorization', `Bearer ${c.accessToken}`)
        .set('User-Agent', 'sessions-probe')
        .expect(200);
      expect(list.body.sessions).toHaveLength(2);
      for (const s of list.body.sessions) {
        expect(s).toEqual({
          session_id: expect.stringMatching(/^[0-9A-Z]{26}$/),
          created_at: expect.stringMatching(/Z$/),
          last_used_at: expect.stringMatching(/Z$/),
          ip: expect.any(String),
          user_agent: null,
          current: expect.any(Boolean),
        });
      }
      const current = list.body.sessions.filter((s: { current: boolean }) => s.current);
      expect(current).toHaveLength(1);
      const otherId = list.body.sessions.find((s: { current: boolean }) => !s.current).session_id;
      await request(t.http)
        .delete(`/users/${c.userId}/sessions/${otherId}`)
        .set('Authorization', `Bearer ${c.accessToken}`)
        .expect(204);
      await profile(other.accessToken).expect(401);
      expect((await refresh(other.refreshToken)).status).toBe(401);
      await profile(c.accessToken).expect(200);
      const gone = await request(t.http)
        .delete(`/users/me/sessions/${otherId}`)
        .set('Authorization', `Bearer ${c.accessToken}`);
      expect(gone.status).toBe(404);
      expect(gone.body.code).toBe('not_found');
    });

    it.each(['..%2F', "x'y", 'SESSION%23x', '01arz3ndektsv4rrffq69g5fav', 'A'.repeat(27)])(
      'answers 404 (never 500) to DELETE of a session id of the wrong shape: %s',
      async (bad) => {
        const c = remember(await createCustomer(t.http));
        const res = await request(t.http)
          .delete(`/users/me/sessions/${bad}`)
          .set('Authorization', `Bearer ${c.accessToken}`);
        expect(res.status).toBe(404);
        expect(res.body.code).toBe('not_found');
        await profile(c.accessToken).expect(200);
      },
    );
  });

  it('answers 401, never 500, once the user behind a token is deleted', async () => {
    const c = remember(await createCustomer(t.http));
    await profile(c.accessToken).expect(200);
    await DynamoDBDocumentClient.from(t.ddb).send(
      new DeleteCommand({
        TableName: t.config.dynamodb.tableName,
        Key: { PK: c.userId, SK: c.userId },
      }),
    );
    const res = await profile(c.accessToken);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('invalid_token');
    expect((await refresh(c.refreshToken)).status).toBe(401);
  });

  describe('forged and unusable access tokens', () => {
    let c: Customer;
    let claims: Record<string, unknown>;
    beforeAll(async () => {
      c = remember(await createCustomer(t.http));
      const payload = jwtClaims(c.accessToken);
      claims = payload;
    });

    it('accepts a correctly signed token with the real claims (control case)', async () => {
      await profile(signJwt({ alg: 'HS256', typ: 'JWT' }, claims)).expect(200);
    });

    const now = () => Math.floor(Date.now() / 1000);
    it.each([
      ['alg none', () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`],
      [
        'alg none with a signature',
        () => `${b64({ alg: 'none' })}.${b64(claims)}.${c.accessToken.split('.')[2]}`,
      ],
      [
        'another key',
        () =>
          signJwt({ alg: 'HS256', typ: 'JWT' }, claims, 'some-other-secret-0123456789abcdef01234'),
      ],
      [
        'HS512 while HS256 is configured',
        () => signJwt({ alg: 'HS512', typ: 'JWT' }, claims, TEST_JWT_SECRET, 'sha512'),
      ],
      [
        'expired',
        () => signJwt({ alg: 'HS256' }, { ...claims, iat: now() - 7200, exp: now() - 3600 }),
      ],
      [
        'tampered payload (role admin)',
        () => {
          const [h, , s] = c.accessToken.split('.');
          return `${h}.${b64({ ...claims, role: 'admin' })}.${s}`;
        },
      ],
      ['type refresh', () => signJwt({ alg: 'HS256' }, { ...claims, type: 'refresh' })],
      ['another issuer', () => signJwt({ alg: 'HS256' }, { ...claims, iss: 'evil' })],
      ['another audience', () => signJwt({ alg: 'HS256' }, { ...claims, aud: 'evil' })],
      [
        'an unknown session',
        () => signJwt({ alg: 'HS256' }, { ...claims, sid: '01ARZ3NDEKTSV4RRFFQ69G5FAV' }),
      ],
      ['a refresh token', () => c.refreshToken],
      ['garbage', () => 'abc.def.ghi'],
    ])('rejects %s with 401', async (_name, forge) => {
      const res = await profile(forge());
      expectProblem(res, 401, 'invalid_token');
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(JSON.stringify(res.body)).not.toContain(c.email);
    });

    it('rejects a missing or non-bearer Authorization header with 401', async () => {
      expect((await request(t.http).get('/users/me/profile')).status).toBe(401);
      const basic = await request(t.http)
        .get('/users/me/profile')
        .set('Authorization', 'Basic dXNlcjpwYXNz');
      expect(basic.status).toBe(401);
    });
  });

  it('answers 503 service_unavailable (never 500) when DynamoDB cannot be used', async () => {
    // An app of its own: deleting its table leaves this file's shared table alone.
    const own = await startTestApp('sessions_outage');
    try {
      const c = remember(await createCustomer(own.http));
      await own.ddb.send(new DeleteTableCommand({ TableName: own.config.dynamodb.tableName }));
      const calls = [
        request(own.http).get('/users/me/profile').set('Authorization', `Bearer ${c.accessToken}`),
        request(own.http).post('/auth/login').send({ username: c.username, password: c.password }),
        request(own.http).post('/auth/refresh').send({ refresh_token: c.refreshToken }),
        request(own.http).post('/auth/register').send({
          username: 'outage_user',
          email: 'outage@example.com',
          password: strongPassword(),
          first_name: 'A',
          last_name: 'B',
        }),
      ];
      for (const res of await Promise.all(calls)) {
        expect(res.status).toBe(503);
        expect(res.body.code).toBe('service_unavailable');
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
        expect(res.text).not.toMatch(/Exception|ResourceNotFound|stack/);
      }
    } finally {
      await own.close();
    }
  });

  it('never logs a password, a token, a refresh secret or an Authorization value', async () => {
    const c = remember(await createCustomer(t.http));
    const rotated = await refresh(c.refreshToken).expect(200);
    const newPassword = strongPassword();
    await request(t.http)
      .post('/users/me/password')
      .set('Authorization', `Bearer ${rotated.body.access_token}`)
      .send({ current_password: c.password, new_password: newPassword })
      .expect(200);
    await request(t.http)
      .post('/auth/logout')
      .set('Authorization', `Bearer ${rotated.body.access_token}`)
      .expect(200);
    for (const s of [rotated.body.access_token, rotated.body.refresh_token, newPassword])
      secrets.add(s);
    for (const token of [c.refreshToken, rotated.body.refresh_token])
      secrets.add(token.split('.')[2]);
    expect(secrets.size).toBeGreaterThanOrEqual(8);
    for (const secret of secrets) expect(t.logs.text).not.toContain(secret);
    expect(t.logs.text).not.toMatch(/bearer\s+ey|"authorization"/i);
  });
});
