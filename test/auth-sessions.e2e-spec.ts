import { randomBytes } from 'node:crypto';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
} from '@aws-sdk/lib-dynamodb';
import { Api, expectStatus, listen } from './utils/ledger-http';
import { startTestApp, TEST_JWT_SECRET, TestApp } from './utils/test-app';
import { createCustomer, Customer, loginUser, strongPassword } from './utils/users';
import { expectProblem } from './utils/problems';
import { base64urlJson as b64, jwtClaims, signJwt } from './utils/jwt';

describe('auth: tokens and sessions (e2e)', () => {
  let t: TestApp;
  let api: Api;
  const secrets = new Set<string>();
  const remember = (c: Customer) => {
    for (const s of [c.password, c.accessToken, c.refreshToken]) secrets.add(s);
    return c;
  };

  beforeAll(async () => {
    t = await startTestApp('sessions');
    api = await listen(t);
  });
  afterAll(async () => {
    await t.close();
  });

  const profile = (token: string) => api.get('/users/me/profile', token);
  const refresh = (token: string) =>
    api.call('POST', '/auth/refresh', { body: { refresh_token: token } });
  const changePassword = (token: string, body: object, path = '/users/me/password') =>
    api.call('POST', path, { token, body });
  const logout = (token: string, body?: object) =>
    api.call('POST', '/auth/logout', { token, body });
  const profileOk = async (token: string) =>
    expect((await expectStatus(profile(token), 200)).body.user_id).toBe(jwtClaims(token).sub);
  const expectTokenRefused = async (token: string) =>
    expectProblem(await profile(token), 401, 'invalid_token');
  const expectRefreshRefused = async (token: string) =>
    expectProblem(await refresh(token), 401, 'invalid_refresh_token');
  /** This user's audit events of one kind, in order. */
  const refreshEvents = (userId: string, event: string) =>
    t.logs.lines.map((l) => JSON.parse(l)).filter((e) => e.event === event && e.user_id === userId);
  async function secondSession(c: Customer): Promise<Customer> {
    return remember({ ...c, ...(await loginUser(t.http, c.username, c.password)) });
  }

  describe('logout', () => {
    it('revokes the session: its access and refresh tokens get 401 at once', async () => {
      const c = remember(await createCustomer(t.http));
      await profileOk(c.accessToken);
      const res = await expectStatus(logout(c.accessToken), 200);
      expect(res.body).toEqual({ message: 'Logged out successfully' });
      await expectTokenRefused(c.accessToken);
      await expectRefreshRefused(c.refreshToken);
    });

    it("accepts old clients' {access_token} body and leaves the user's other sessions alone", async () => {
      const c = remember(await createCustomer(t.http));
      const other = await secondSession(c);
      const res = await expectStatus(logout(c.accessToken, { access_token: c.accessToken }), 200);
      expect(res.body).toEqual({ message: 'Logged out successfully' });
      await expectTokenRefused(c.accessToken);
      await profileOk(other.accessToken);
    });

    it('needs a bearer token (401) and rejects unknown body fields (422)', async () => {
      const c = remember(await createCustomer(t.http));
      expectProblem(await api.call('POST', '/auth/logout'), 401, 'unauthorized');
      const res = await logout(c.accessToken, { everything: true });
      expectProblem(res, 422, 'validation_failed');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['everything']);
      await profileOk(c.accessToken);
    });
  });

  describe('refresh', () => {
    it('rotates the refresh token; the new pair works', async () => {
      const c = remember(await createCustomer(t.http));
      const res = await expectStatus(refresh(c.refreshToken), 200);
      secrets.add(res.body.access_token);
      secrets.add(res.body.refresh_token);
      expect(res.body).toMatchObject({ token_type: 'bearer', user_id: c.userId, expires_in: 1800 });
      expect(res.body.refresh_token).not.toBe(c.refreshToken);
      await profileOk(res.body.access_token);
      const again = await expectStatus(refresh(res.body.refresh_token), 200);
      secrets.add(again.body.access_token);
      secrets.add(again.body.refresh_token);
    });

    it('kills the whole session when an already-rotated refresh token is reused', async () => {
      const c = remember(await createCustomer(t.http));
      const rotated = await expectStatus(refresh(c.refreshToken), 200);
      secrets.add(rotated.body.refresh_token);
      secrets.add(rotated.body.access_token);
      await expectRefreshRefused(c.refreshToken);
      await expectRefreshRefused(rotated.body.refresh_token);
      await expectTokenRefused(rotated.body.access_token);
      await expectTokenRefused(c.accessToken);
      expect(refreshEvents(c.userId, 'auth.refresh_reuse')).toEqual([
        expect.objectContaining({
          result: 'detected',
          session_id: jwtClaims(c.accessToken).sid,
          reason: 'session_revoked',
        }),
      ]);
    });

    it('refuses a forged secret for a real user and session (401) without ending the session', async () => {
      const c = remember(await createCustomer(t.http));
      // Both ids are readable from any access token, even an expired one.
      const claims = jwtClaims(c.accessToken);
      const forged = `${claims.sub}.${claims.sid}.${randomBytes(32).toString('base64url')}`;
      expect(forged.split('.').slice(0, 2)).toEqual(c.refreshToken.split('.').slice(0, 2));
      for (let i = 0; i < 3; i++) await expectRefreshRefused(forged);
      expect(refreshEvents(c.userId, 'auth.refresh').map((e) => [e.result, e.reason])).toEqual([
        ['failure', 'unknown_secret'],
        ['failure', 'unknown_secret'],
        ['failure', 'unknown_secret'],
      ]);
      await profileOk(c.accessToken);
      const rotated = await expectStatus(refresh(c.refreshToken), 200);
      secrets.add(rotated.body.access_token);
      secrets.add(rotated.body.refresh_token);
      await profileOk(rotated.body.access_token);
      expect(refreshEvents(c.userId, 'auth.refresh_reuse')).toEqual([]);
    });

    it('lets one of two racing refreshes of the same token win; the session then dies as reuse', async () => {
      const c = remember(await createCustomer(t.http));
      const results = await Promise.all([refresh(c.refreshToken), refresh(c.refreshToken)]);
      const won = results.filter((r) => r.status === 200);
      expect(won).toHaveLength(1);
      expectProblem(
        results.find((r) => r.status !== 200)!,
        401,
        'invalid_refresh_token',
      );
      secrets.add(won[0].body.access_token);
      secrets.add(won[0].body.refresh_token);
      await expectRefreshRefused(won[0].body.refresh_token);
      await expectTokenRefused(won[0].body.access_token);
      expect(refreshEvents(c.userId, 'auth.refresh_reuse')).toEqual([
        expect.objectContaining({ result: 'detected', session_id: jwtClaims(c.accessToken).sid }),
      ]);
    });

    // The adapter's 'gone' vs 'reused' outcome of the compare-and-set is proven in the session
    // repository contract (src/auth/sessions); here the same distinction as a client sees it.
    it('does not take a refresh that lost to a logout for reuse (the session just ends)', async () => {
      for (let i = 0; i < 4; i++) {
        const c = remember(await createCustomer(t.http));
        const [out, rotated] = await Promise.all([logout(c.accessToken), refresh(c.refreshToken)]);
        expect(out.body).toEqual({ message: 'Logged out successfully' });
        // If the refresh came first, the logout then ended the session it had just rotated: its new
        // pair is refused like the racing refresh would have been.
        const won = rotated.status === 200;
        if (won)
          for (const s of [rotated.body.access_token, rotated.body.refresh_token]) secrets.add(s);
        expectProblem(
          won ? await refresh(rotated.body.refresh_token) : rotated,
          401,
          'invalid_refresh_token',
        );
        await expectRefreshRefused(c.refreshToken);
        expect(refreshEvents(c.userId, 'auth.refresh_reuse')).toEqual([]);
        const failures = refreshEvents(c.userId, 'auth.refresh').filter(
          (e) => e.result === 'failure',
        );
        expect(failures.map((e) => e.reason)).toEqual([
          expect.stringMatching(/^(no_session|session_gone)$/),
          'no_session',
        ]);
      }
    });

    it('never takes an access token as a refresh token, nor the reverse', async () => {
      const c = remember(await createCustomer(t.http));
      await expectRefreshRefused(c.accessToken);
      await expectTokenRefused(c.refreshToken);
      await profileOk(c.accessToken);
    });
  });

  describe('password change', () => {
    it("revokes every other session; the caller's session, the new password and nothing else work", async () => {
      const c = remember(await createCustomer(t.http));
      const other = await secondSession(c);
      const next = strongPassword();
      secrets.add(next);
      const res = await expectStatus(
        changePassword(c.accessToken, { current_password: c.password, new_password: next }),
        200,
      );
      expect(res.body).toEqual({ message: 'Password changed successfully' });
      await expectTokenRefused(other.accessToken);
      await expectRefreshRefused(other.refreshToken);
      await profileOk(c.accessToken);
      expectProblem(
        await api.call('POST', '/auth/login', {
          body: { username: c.username, password: c.password },
        }),
        401,
        'invalid_credentials',
      );
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
      expect(before.Item).toMatchObject({ ...key, credential_version: 0 });
      const next = strongPassword();
      secrets.add(next);
      await expectStatus(
        changePassword(c.accessToken, { current_password: c.password, new_password: next }),
        200,
      );
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
      await expectRefreshRefused(other.refreshToken);
      await profileOk(c.accessToken);
      const mine = await expectStatus(refresh(c.refreshToken), 200);
      secrets.add(mine.body.access_token);
      secrets.add(mine.body.refresh_token);
      await profileOk(mine.body.access_token);
      // A second change from the same session: it survives again; the other stays dead.
      const third = strongPassword();
      secrets.add(third);
      await expectStatus(
        changePassword(mine.body.access_token, { current_password: next, new_password: third }),
        200,
      );
      await doc.send(new PutCommand({ TableName: table, Item: before.Item }));
      await expectTokenRefused(other.accessToken);
      await profileOk(mine.body.access_token);
      const again = await expectStatus(refresh(mine.body.refresh_token), 200);
      secrets.add(again.body.access_token);
      secrets.add(again.body.refresh_token);
    });

    it('refuses a wrong current password (422) and a weak new one (422 naming new_password)', async () => {
      const c = remember(await createCustomer(t.http));
      const path = `/users/${c.userId}/password`;
      const wrong = await changePassword(
        c.accessToken,
        { current_password: 'not my password', new_password: strongPassword() },
        path,
      );
      expectProblem(wrong, 422, 'invalid_current_password');
      const weak = await changePassword(
        c.accessToken,
        { current_password: c.password, new_password: 'qwerty123456' },
        path,
      );
      expectProblem(weak, 422, 'validation_failed');
      expect(weak.body.errors.map((e: { field: string }) => e.field)).toEqual(['new_password']);
      await profileOk(c.accessToken);
    });
  });

  describe('sessions', () => {
    it('lists live sessions with the current one marked, and revokes another by id (204)', async () => {
      const c = remember(await createCustomer(t.http));
      const other = await secondSession(c);
      const list = await expectStatus(
        api.call('GET', '/users/me/sessions', {
          token: c.accessToken,
          headers: { 'User-Agent': 'sessions-probe' },
        }),
        200,
      );
      const mySid = jwtClaims(c.accessToken).sid;
      const otherId = jwtClaims(other.accessToken).sid;
      const session = (sessionId: string, current: boolean) => ({
        session_id: sessionId,
        created_at: expect.stringMatching(/Z$/),
        last_used_at: expect.stringMatching(/Z$/),
        ip: '127.0.0.1',
        user_agent: null, // both logins sent none; the list call's own User-Agent is not stored
        current,
      });
      expect(list.body.sessions).toEqual(
        expect.arrayContaining([session(mySid, true), session(otherId, false)]),
      );
      expect(list.body.sessions).toHaveLength(2);
      expect(
        (
          await api.call('DELETE', `/users/${c.userId}/sessions/${otherId}`, {
            token: c.accessToken,
          })
        ).status,
      ).toBe(204);
      await expectTokenRefused(other.accessToken);
      await expectRefreshRefused(other.refreshToken);
      await profileOk(c.accessToken);
      const gone = await api.call('DELETE', `/users/me/sessions/${otherId}`, {
        token: c.accessToken,
      });
      expectProblem(gone, 404, 'not_found');
    });

    it.each(['..%2F', "x'y", 'SESSION%23x', '01arz3ndektsv4rrffq69g5fav', 'A'.repeat(27)])(
      'answers 404 (never 500) to DELETE of a session id of the wrong shape: %s',
      async (bad) => {
        const c = remember(await createCustomer(t.http));
        const res = await api.call('DELETE', `/users/me/sessions/${bad}`, {
          token: c.accessToken,
        });
        expectProblem(res, 404, 'not_found');
        await profileOk(c.accessToken);
      },
    );
  });

  it('answers 401, never 500, once the user behind a token is deleted', async () => {
    const c = remember(await createCustomer(t.http));
    await profileOk(c.accessToken);
    await DynamoDBDocumentClient.from(t.ddb).send(
      new DeleteCommand({
        TableName: t.config.dynamodb.tableName,
        Key: { PK: c.userId, SK: c.userId },
      }),
    );
    await expectTokenRefused(c.accessToken);
    await expectRefreshRefused(c.refreshToken);
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
      await profileOk(signJwt({ alg: 'HS256', typ: 'JWT' }, claims));
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
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(JSON.stringify(res.body)).not.toContain(c.email);
    });

    it('rejects a missing or non-bearer Authorization header with 401', async () => {
      expectProblem(await api.call('GET', '/users/me/profile'), 401, 'unauthorized');
      const basic = await api.call('GET', '/users/me/profile', {
        headers: { Authorization: 'Basic dXNlcjpwYXNz' },
      });
      expectProblem(basic, 401, 'unauthorized');
      expect(basic.headers.get('www-authenticate')).toBe('Bearer');
    });
  });

  it('answers 503 service_unavailable (never 500) when DynamoDB cannot be used', async () => {
    // An app of its own: deleting its table leaves this file's shared table alone.
    const own = await startTestApp('sessions_outage');
    try {
      const ownApi = await listen(own);
      const c = remember(await createCustomer(own.http));
      await own.ddb.send(new DeleteTableCommand({ TableName: own.config.dynamodb.tableName }));
      const calls = [
        ownApi.get('/users/me/profile', c.accessToken),
        ownApi.call('POST', '/auth/login', {
          body: { username: c.username, password: c.password },
        }),
        ownApi.call('POST', '/auth/refresh', { body: { refresh_token: c.refreshToken } }),
        ownApi.call('POST', '/auth/register', {
          body: {
            username: 'outage_user',
            email: 'outage@example.com',
            password: strongPassword(),
            first_name: 'A',
            last_name: 'B',
          },
        }),
      ];
      for (const res of await Promise.all(calls)) {
        expectProblem(res, 503, 'service_unavailable');
        expect(res.headers.get('retry-after')).toBe('1');
        expect(res.text).not.toMatch(/Exception|ResourceNotFound|stack/);
      }
    } finally {
      await own.close();
    }
  });

  it('never logs a password, a token, a refresh secret or an Authorization value', async () => {
    const c = remember(await createCustomer(t.http));
    const rotated = await expectStatus(refresh(c.refreshToken), 200);
    const newPassword = strongPassword();
    await expectStatus(
      changePassword(rotated.body.access_token, {
        current_password: c.password,
        new_password: newPassword,
      }),
      200,
    );
    await expectStatus(logout(rotated.body.access_token), 200);
    for (const s of [rotated.body.access_token, rotated.body.refresh_token, newPassword])
      secrets.add(s);
    for (const token of [c.refreshToken, rotated.body.refresh_token])
      secrets.add(token.split('.')[2]);
    // This test's own credentials are among those checked (and the earlier tests' too).
    for (const s of [c.password, c.accessToken, newPassword, rotated.body.refresh_token])
      expect(secrets.has(s)).toBe(true);
    for (const secret of secrets) expect(t.logs.text).not.toContain(secret);
    expect(t.logs.text).not.toMatch(/bearer\s+ey|"authorization"/i);
  });
});
