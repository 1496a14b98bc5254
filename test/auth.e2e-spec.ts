import { DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { jwtClaims } from './utils/jwt';
import { Api, ApiResponse, listen } from './utils/ledger-http';
import { metricValue } from './utils/metrics';
import { expectProblem } from './utils/problems';
import { startTestApp, TestApp } from './utils/test-app';
import { loginUser, registerUser, strongPassword, uniqueUsername } from './utils/users';

/** Every secret this file sends; none may appear in the captured logs. */
const secrets = new Set<string>();
const remember = <T extends string>(s: T): T => (secrets.add(s), s);

function registration(overrides: Record<string, unknown> = {}) {
  const username = uniqueUsername('reg');
  return {
    username,
    email: `${username}@example.com`,
    password: remember(strongPassword()),
    first_name: 'Jane',
    last_name: "O'Brien",
    ...overrides,
  };
}

describe('auth: registration and login (e2e)', () => {
  let t: TestApp;
  let api: Api;
  const register = (body: object) => api.call('POST', '/auth/register', { body });
  const login = (body: object, headers?: Record<string, string>) =>
    api.call('POST', '/auth/login', { body, headers });

  beforeAll(async () => {
    t = await startTestApp('auth');
    api = await listen(t);
  });
  afterAll(async () => {
    await t.close();
  });

  async function item(pk: string, sk = pk): Promise<Record<string, unknown> | undefined> {
    const doc = DynamoDBDocumentClient.from(t.ddb);
    const out = await doc.send(
      new GetCommand({
        TableName: t.config.dynamodb.tableName,
        Key: { PK: pk, SK: sk },
        ConsistentRead: true,
      }),
    );
    return out.Item;
  }

  describe('POST /auth/register', () => {
    it('creates the user, both guards and a zero balance, and answers the SPEC profile shape', async () => {
      const body = registration({
        username: `Mixed_${uniqueUsername('c').slice(0, 12)}`,
        email: ' Jane.Mixed@Example.COM ',
        phone: '+1 (555) 010-9999',
        date_of_birth: '1990-04-01',
        marketing_emails_consent: true,
      });
      const res = await register(body);
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        message: 'User registered successfully',
        user: {
          user_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          username: body.username.toLowerCase(),
          email: 'jane.mixed@example.com',
          first_name: 'Jane',
          last_name: "O'Brien",
          phone: '+15550109999',
          date_of_birth: '1990-04-01',
          marketing_emails_consent: true,
          email_verified: false,
          email_verified_at: null,
          role: 'customer',
          created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
          updated_at: expect.stringMatching(/Z$/),
        },
      });
      expect(JSON.stringify(res.body)).not.toMatch(/hash|password/);
      const userId = res.body.user.user_id;
      expect(await item(userId)).toMatchObject({
        entity: 'user',
        username: body.username.toLowerCase(),
      });
      expect((await item(userId))?.password_hash).toMatch(/^\$2[aby]\$04\$/);
      expect(await item(`USERNAME#${body.username.toLowerCase()}`)).toMatchObject({
        user_id: userId,
      });
      expect(await item('EMAIL#jane.mixed@example.com')).toMatchObject({ user_id: userId });
      expect(await item(userId, 'balance')).toMatchObject({ current_cents: 0, held_cents: 0 });
    });

    it('answers 409 username_taken / email_taken and writes nothing', async () => {
      const first = await registerUser(t.http, { password: remember(strongPassword()) });
      const sameName = registration({ username: first.username.toUpperCase() });
      expectProblem(await register(sameName), 409, 'username_taken');
      expect(await item(`EMAIL#${sameName.email}`)).toBeUndefined();
      const sameEmail = registration({ email: first.email.toUpperCase() });
      expectProblem(await register(sameEmail), 409, 'email_taken');
      expect(await item(`USERNAME#${sameEmail.username}`)).toBeUndefined();
    });

    it("lets exactly one of 20 parallel registrations of one username win; the stored hash is the winner's", async () => {
      const username = uniqueUsername('race');
      const bodies = Array.from({ length: 20 }, (_, i) =>
        registration({ username, email: `${username}_${i}@example.com` }),
      );
      const results = await Promise.all(bodies.map((b) => register(b)));
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 201)).toHaveLength(1);
      expect(statuses.filter((s) => s === 409)).toHaveLength(19);
      for (const r of results.filter((x) => x.status === 409))
        expectProblem(r, 409, 'username_taken');
      const winnerIndex = statuses.indexOf(201);
      const winner = bodies[winnerIndex];
      const userId = results[winnerIndex].body.user.user_id;

      const stored = await item(userId);
      expect(stored?.email).toBe(winner.email);
      // The stored hash is the winner's: its password logs in, a loser's does not.
      const loser = bodies[(winnerIndex + 1) % 20];
      expectProblem(
        await login({ username, password: loser.password }),
        401,
        'invalid_credentials',
      );
      expect((await login({ username, password: winner.password })).body.user_id).toBe(userId);
      const emailItems = await Promise.all(bodies.map((b) => item(`EMAIL#${b.email}`)));
      expect(emailItems.map((e) => e !== undefined)).toEqual(
        bodies.map((_, i) => i === winnerIndex),
      );
      const users = await DynamoDBDocumentClient.from(t.ddb).send(
        new ScanCommand({
          TableName: t.config.dynamodb.tableName,
          FilterExpression: 'username = :u',
          ExpressionAttributeValues: { ':u': username },
        }),
      );
      expect(users.Count).toBe(1);
      await expect(loginUser(t.http, username, winner.password)).resolves.toMatchObject({ userId });
    });

    const tooYoung = new Date(Date.now() - 10 * 365.25 * 86400_000).toISOString().slice(0, 10);
    it.each([
      ['username', 'short'],
      ['username', 'u'.repeat(31)],
      ['username', 'has space'],
      ['username', 'dash-not-ok'],
      ['username', 123456789],
      ['email', 'not-an-email'],
      ['email', `${'a'.repeat(245)}@example.com`],
      ['password', 'elevenchars'],
      ['password', 'p'.repeat(129)],
      ['password', 'qwerty123456'],
      ['password', 'password1234'],
      ['first_name', ''],
      ['first_name', 'n'.repeat(51)],
      ['first_name', '<b>Jane</b>'],
      ['last_name', 'D0e'],
      ['phone', '555-0100'],
      ['phone', '1234567890123456'],
      ['phone', 'call me maybe'],
      ['date_of_birth', '1990-02-30'],
      ['date_of_birth', '04/01/1990'],
      ['date_of_birth', tooYoung],
      ['date_of_birth', '1890-01-01'],
      ['marketing_emails_consent', 'yes'],
      ['role', 'admin'],
      ['balance', 1000],
    ])('rejects %s = %j with 422 naming the field', async (field, value) => {
      const body = registration({ [field]: value });
      const res = await register(body);
      expectProblem(res, 422, 'validation_failed');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
      expect(await item(`USERNAME#${body.username}`)).toBeUndefined();
    });

    it.each(['username', 'email', 'password', 'first_name', 'last_name'])(
      'rejects a registration without %s (422 naming it)',
      async (field) => {
        const body: Record<string, unknown> = registration();
        delete body[field];
        const res = await register(body);
        expectProblem(res, 422, 'validation_failed');
        expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      },
    );
  });

  describe('POST /auth/login', () => {
    it('logs in with the username or the e-mail and returns the SPEC token shape', async () => {
      const u = await registerUser(t.http, { password: remember(strongPassword()) });
      for (const identifier of [u.username, u.email, u.email.toUpperCase()]) {
        const res = await login({ username: identifier, password: u.password });
        expect(res.status).toBe(200);
        expect(res.body).toEqual({
          access_token: expect.stringMatching(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/),
          token_type: 'bearer',
          expires_in: 1800,
          refresh_token: expect.any(String),
          refresh_expires_in: 7 * 86400,
          user_id: u.userId,
        });
        // `<user_id>.<session_id>.<secret>`: the session belongs to this user and to this access token.
        const [owner, sessionId, secret] = res.body.refresh_token.split('.');
        expect(owner).toBe(u.userId);
        expect(sessionId).toBe(jwtClaims(res.body.access_token).sid);
        expect(secret).toMatch(/^[\w-]{43}$/);
        remember(res.body.access_token);
        remember(res.body.refresh_token);
      }
    });

    it('answers unknown users and wrong passwords with byte-identical 401 bodies (apart from request_id)', async () => {
      const u = await registerUser(t.http, { password: remember(strongPassword()) });
      const wrong = await login({ username: u.username, password: 'not-the-password!' });
      const unknown = await login({
        username: uniqueUsername('ghost'),
        password: 'not-the-password!',
      });
      for (const res of [wrong, unknown]) expectProblem(res, 401, 'invalid_credentials');
      const strip = (res: ApiResponse) => res.text.replace(res.body.request_id, '<id>');
      expect(strip(wrong)).toBe(strip(unknown));
      expect(wrong.headers.get('www-authenticate')).toBe('Bearer');
      expect(unknown.headers.get('www-authenticate')).toBe('Bearer');
    });

    it('accepts a 100-character password and refuses its first 72 bytes', async () => {
      const password = remember('Ünïcödé-' + 'x'.repeat(92));
      expect([...password]).toHaveLength(100);
      const u = await registerUser(t.http, { password });
      await expect(loginUser(t.http, u.username, password)).resolves.toMatchObject({
        userId: u.userId,
      });
      const first72Bytes = Buffer.from(password, 'utf8').subarray(0, 72).toString('utf8');
      remember(first72Bytes);
      const res = await login({ username: u.username, password: first72Bytes });
      expectProblem(res, 401, 'invalid_credentials');
    });

    it('rejects a malformed login body with 422', async () => {
      const res = await login({ username: 'someone_here' });
      expectProblem(res, 422, 'validation_failed');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['password']);
    });
  });

  it('writes one audit event per register and login outcome, and counts them in auth_events_total', async () => {
    const metricsText = async () => (await api.call('GET', '/metrics')).text;
    const watched = [
      'auth_events_total{event="login",result="success"}',
      'auth_events_total{event="register",result="conflict"}',
      'auth_events_total{event="login",result="failure"}',
    ];
    const before = await metricsText();
    const u = await registerUser(t.http, { password: remember(strongPassword()) });
    const ok = await login(
      { username: u.username, password: u.password },
      { 'User-Agent': 'audit-probe/1.0', 'X-Request-ID': 'audit-probe-login' },
    );
    expect(ok.body.user_id).toBe(u.userId);
    expectProblem(await register(registration({ username: u.username })), 409, 'username_taken');
    expectProblem(
      await login({ username: uniqueUsername('ghost'), password: remember(strongPassword()) }),
      401,
      'invalid_credentials',
    );
    const events = t.logs.lines.map((l) => JSON.parse(l)).filter((e) => e.audit === true);
    const success = events.find(
      (e) => e.event === 'auth.login' && e.result === 'success' && e.user_id === u.userId,
    );
    expect(success).toMatchObject({
      ip: '127.0.0.1',
      user_agent: 'audit-probe/1.0',
      request_id: 'audit-probe-login',
    });
    expect(
      events.some(
        (e) => e.event === 'auth.register' && e.result === 'success' && e.user_id === u.userId,
      ),
    ).toBe(true);
    expect(events.some((e) => e.event === 'auth.register' && e.result === 'conflict')).toBe(true);
    expect(
      events.some(
        (e) => e.event === 'auth.login' && e.result === 'failure' && e.reason === 'unknown_user',
      ),
    ).toBe(true);
    const after = await metricsText();
    expect(
      watched.map((series) => metricValue(after, series) - metricValue(before, series)),
    ).toEqual([1, 1, 1]);
  });

  it('never logs a password, a token or an Authorization value', async () => {
    const u = await registerUser(t.http, { password: remember(strongPassword()) });
    const tokens = await loginUser(t.http, u.username, u.password);
    remember(tokens.accessToken);
    remember(tokens.refreshToken);
    expect((await api.get('/users/me/profile', tokens.accessToken)).body.user_id).toBe(u.userId);
    // A password typed into the username field must not be logged either.
    const typo = remember(`typo-${strongPassword()}`);
    expectProblem(
      await login({ username: typo, password: u.password }),
      401,
      'invalid_credentials',
    );
    // This test's own secrets are in the set (the audit checks every one, earlier tests' too).
    for (const s of [u.password, tokens.accessToken, tokens.refreshToken, typo])
      expect(secrets.has(s)).toBe(true);
    const text = t.logs.text;
    // The login, the profile call and the failed login were logged: the check below has lines to read.
    expect(t.logs.text).toContain(`"user_id":"${u.userId}"`);
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/bearer\s+ey/i);
    expect(text).not.toMatch(/"authorization"/i);
  });
});
