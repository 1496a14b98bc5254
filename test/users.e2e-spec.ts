import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { Api, expectStatus, listen } from './utils/ledger-http';
import { startTestApp, TestApp } from './utils/test-app';
import {
  createAdmin,
  createCustomer,
  createServiceToken,
  Customer,
  loginUser,
} from './utils/users';
import { expectProblem } from './utils/problems';

type Method = 'GET' | 'PUT' | 'POST' | 'DELETE';

interface Row {
  method: Method;
  /** Route template as registered. */
  template: string;
  /** Concrete path for a target user id (and, where needed, a session id). */
  path: (userId: string, sessionId: string) => string;
  body?: object;
  /** Which part of the service owns the route. */
  owner: 'users' | 'auth' | 'ledger' | 'portfolio';
}

/** Every `/users/{user_id}/*` route of SPEC §4 (all registered; the BOLA tests check each strictly). */
const ROUTES: Row[] = [
  {
    method: 'GET',
    template: '/users/:user_id/profile',
    path: (u) => `/users/${u}/profile`,
    owner: 'users',
  },
  {
    method: 'PUT',
    template: '/users/:user_id/profile',
    path: (u) => `/users/${u}/profile`,
    body: { first_name: 'Bob' },
    owner: 'users',
  },
  {
    method: 'POST',
    template: '/users/:user_id/password',
    path: (u) => `/users/${u}/password`,
    body: { current_password: 'whatever-it-is', new_password: 'a new long passphrase' },
    owner: 'auth',
  },
  {
    method: 'GET',
    template: '/users/:user_id/sessions',
    path: (u) => `/users/${u}/sessions`,
    owner: 'auth',
  },
  {
    method: 'DELETE',
    template: '/users/:user_id/sessions/:session_id',
    path: (u, s) => `/users/${u}/sessions/${s}`,
    owner: 'auth',
  },
  {
    method: 'GET',
    template: '/users/:user_id/balance',
    path: (u) => `/users/${u}/balance`,
    owner: 'ledger',
  },
  {
    method: 'POST',
    template: '/users/:user_id/balance/deposit',
    path: (u) => `/users/${u}/balance/deposit`,
    body: { amount: '1.00' },
    owner: 'ledger',
  },
  {
    method: 'POST',
    template: '/users/:user_id/balance/withdraw',
    path: (u) => `/users/${u}/balance/withdraw`,
    body: { amount: '1.00' },
    owner: 'ledger',
  },
  {
    method: 'GET',
    template: '/users/:user_id/balance/transactions',
    path: (u) => `/users/${u}/balance/transactions`,
    owner: 'ledger',
  },
  {
    method: 'GET',
    template: '/users/:user_id/portfolio',
    path: (u) => `/users/${u}/portfolio`,
    owner: 'portfolio',
  },
];

describe('users: profiles and authorization (e2e)', () => {
  let t: TestApp;
  let api: Api;
  let alice: Customer;
  let bob: Customer;
  let bobSession: string;
  let admin: Customer;

  const as = (token: string, method: Method, path: string, body?: object) =>
    api.call(method, path, { token, body });
  const registered = (row: Row) =>
    t.app.getHttpAdapter().getInstance().hasRoute({ method: row.method, url: row.template });

  beforeAll(async () => {
    t = await startTestApp('users');
    api = await listen(t);
    alice = await createCustomer(t.http, { first_name: 'Alice' });
    bob = await createCustomer(t.http, {
      first_name: 'Bob',
      phone: '+1 555 010 7777',
      date_of_birth: '1985-06-01',
    });
    const sessions = await expectStatus(as(bob.accessToken, 'GET', '/users/me/sessions'), 200);
    bobSession = sessions.body.sessions[0].session_id;
    admin = await createAdmin(t);
  });
  afterAll(async () => {
    await t.close();
  });

  describe('profiles', () => {
    it('GET /users/{id}/profile, /users/me/profile and /auth/profile return the same profile', async () => {
      const byId = await expectStatus(
        as(alice.accessToken, 'GET', `/users/${alice.userId}/profile`),
        200,
      );
      const me = await expectStatus(as(alice.accessToken, 'GET', '/users/me/profile'), 200);
      const compat = await expectStatus(as(alice.accessToken, 'GET', '/auth/profile'), 200);
      expect(me.body).toEqual(byId.body);
      expect(compat.body).toEqual(byId.body);
      expect(Object.keys(byId.body).sort()).toEqual(
        [
          'created_at',
          'date_of_birth',
          'email',
          'email_verified',
          'email_verified_at',
          'first_name',
          'last_name',
          'marketing_emails_consent',
          'phone',
          'role',
          'updated_at',
          'user_id',
          'username',
        ].sort(),
      );
      expect(byId.body).toMatchObject({
        user_id: alice.userId,
        first_name: 'Alice',
        phone: null,
        role: 'customer',
      });
    });

    it('PUT changes given fields, null clears optional ones, absent ones stay', async () => {
      const c = await createCustomer(t.http, { phone: '5550101234', date_of_birth: '1990-01-01' });
      const res = await expectStatus(
        as(c.accessToken, 'PUT', '/users/me/profile', {
          last_name: 'Smith-Jones',
          phone: null,
          date_of_birth: null,
          marketing_emails_consent: true,
        }),
        200,
      );
      expect(res.body.message).toBe('Profile updated successfully');
      expect(res.body.user).toMatchObject({
        first_name: 'Test',
        last_name: 'Smith-Jones',
        phone: null,
        date_of_birth: null,
        marketing_emails_consent: true,
      });
      expect(res.body.user.updated_at > res.body.user.created_at).toBe(true);
      const compat = await expectStatus(
        as(c.accessToken, 'PUT', '/auth/profile', {
          phone: '+44 20 7946 0958',
        }),
        200,
      );
      expect(compat.body.user).toMatchObject({ phone: '+442079460958', last_name: 'Smith-Jones' });
    });

    it('moves the e-mail guard atomically on an e-mail change; 409 when taken', async () => {
      const c = await createCustomer(t.http);
      const doc = DynamoDBDocumentClient.from(t.ddb);
      const guard = (email: string) =>
        doc.send(
          new GetCommand({
            TableName: t.config.dynamodb.tableName,
            Key: { PK: `EMAIL#${email}`, SK: `EMAIL#${email}` },
            ConsistentRead: true,
          }),
        );
      const newEmail = `moved_${c.username}@Example.com`;
      const res = await expectStatus(
        as(c.accessToken, 'PUT', '/users/me/profile', { email: newEmail }),
        200,
      );
      expect(res.body.user.email).toBe(newEmail.toLowerCase());
      expect((await guard(newEmail.toLowerCase())).Item).toMatchObject({ user_id: c.userId });
      expect((await guard(c.email)).Item).toBeUndefined();
      await expect(loginUser(t.http, newEmail, c.password)).resolves.toMatchObject({
        userId: c.userId,
      });

      const taken = await as(c.accessToken, 'PUT', '/users/me/profile', {
        email: alice.email,
        first_name: 'Changed',
      });
      expectProblem(taken, 409, 'email_taken');
      const after = await expectStatus(as(c.accessToken, 'GET', '/users/me/profile'), 200);
      expect(after.body).toMatchObject({ email: newEmail.toLowerCase(), first_name: 'Test' });
      // The freed address can be registered again.
      await createCustomer(t.http, { email: c.email });
    });

    it.each([
      ['role', 'admin'],
      ['username', 'new_name_here'],
      ['password', 'a new long passphrase'],
      ['current_balance', '1000000.00'],
      ['user_id', '00000000-0000-4000-8000-000000000000'],
      ['first_name', null],
      ['email', 'not-an-email'],
      ['phone', '12'],
    ])('PUT refuses %s = %j with 422 naming the field', async (field, value) => {
      const res = await as(alice.accessToken, 'PUT', '/users/me/profile', { [field]: value });
      expectProblem(res, 422, 'validation_failed');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
      const me = await expectStatus(as(alice.accessToken, 'GET', '/users/me/profile'), 200);
      expect(me.body.role).toBe('customer');
    });

    it('answers 404 to an admin asking for a user that does not exist', async () => {
      const res = await as(
        admin.accessToken,
        'GET',
        '/users/00000000-0000-4000-8000-000000000000/profile',
      );
      expectProblem(res, 404, 'not_found');
    });
  });

  describe('user_id must be a user id (UUID) or `me`', () => {
    const notUserIds = () => [
      `USERNAME%23${bob.username}`,
      `EMAIL%23${encodeURIComponent(bob.email)}`,
      `LOGIN%23${bob.username}`,
      '..%2F',
      "x'y",
      bob.userId.toUpperCase(),
    ];

    it.each([
      ['GET', undefined],
      ['PUT', { first_name: 'Mallory' }],
      ['PUT', { email: 'mallory@example.com' }],
    ] as const)(
      'an admin gets 404 (never 500) for %s on a non-user item or an odd id (body %j)',
      async (method, body) => {
        for (const id of notUserIds()) {
          const res = await as(admin.accessToken, method, `/users/${id}/profile`, body);
          expect({ id, status: res.status, code: res.body.code }).toEqual({
            id,
            status: 404,
            code: 'not_found',
          });
          expectProblem(res, 404, 'not_found');
          for (const secret of [bob.userId, bob.username, bob.email]) {
            expect(res.text).not.toContain(secret);
          }
        }
        const profile = await expectStatus(as(bob.accessToken, 'GET', '/users/me/profile'), 200);
        expect(profile.body).toMatchObject({ first_name: 'Bob', email: bob.email });
      },
    );

    it('a customer gets 404 for an odd id too, on every registered /users/{id}/* route', async () => {
      for (const row of ROUTES.filter(registered)) {
        for (const id of ['..%2F', "x'y", `USERNAME%23${alice.username}`]) {
          const res = await as(alice.accessToken, row.method, row.path(id, bobSession), row.body);
          expect({ route: `${row.method} ${row.template}`, id, status: res.status }).toEqual({
            route: `${row.method} ${row.template}`,
            id,
            status: 404,
          });
          expectProblem(res, 404, 'not_found');
        }
      }
    });
  });

  describe('BOLA: user A against every /users/{B}/* route', () => {
    const label = (r: Row) => `${r.method} ${r.template} (${r.owner})`;

    it('has every row registered (users, auth, ledger and portfolio alike)', () => {
      expect(ROUTES.filter((r) => !registered(r)).map((r) => `${r.method} ${r.template}`)).toEqual(
        [],
      );
    });

    it.each(ROUTES.map((r) => [label(r), r] as const))(
      '%s: 403 for another customer, with no B data',
      async (_name, row) => {
        const res = await as(
          alice.accessToken,
          row.method,
          row.path(bob.userId, bobSession),
          row.body,
        );
        expectProblem(res, 403, 'forbidden');
        for (const secret of [bob.userId, bob.username, bob.email, 'Bob', '5550107777']) {
          expect(res.text).not.toContain(secret);
        }
      },
    );

    it("changed nothing of B's: profile, password and sessions intact", async () => {
      const profile = await expectStatus(as(bob.accessToken, 'GET', '/users/me/profile'), 200);
      expect(profile.body.first_name).toBe('Bob');
      const sessions = await expectStatus(as(bob.accessToken, 'GET', '/users/me/sessions'), 200);
      expect(sessions.body.sessions.map((s: { session_id: string }) => s.session_id)).toContain(
        bobSession,
      );
      await expect(loginUser(t.http, bob.username, bob.password)).resolves.toMatchObject({
        userId: bob.userId,
      });
    });

    it.each(
      ROUTES.filter((r) => r.method === 'GET').map(
        (r) => [`${r.method} ${r.template}`, r] as const,
      ),
    )('%s: `me` reaches the caller', async (_name, row) => {
      const res = await as(alice.accessToken, row.method, row.path('me', 'unused'));
      expect(res.status).toBe(200);
      const caller: Record<string, object> = {
        '/users/:user_id/profile': { user_id: alice.userId, username: alice.username },
        '/users/:user_id/sessions': {
          sessions: expect.arrayContaining([expect.objectContaining({ current: true })]),
        },
        '/users/:user_id/balance': { user_id: alice.userId, current_balance: '0.00' },
        '/users/:user_id/balance/transactions': { transactions: [], count: 0, has_more: false },
        '/users/:user_id/portfolio': { user_id: alice.userId, cash_balance: '0.00', assets: [] },
      };
      expect(res.body).toMatchObject(caller[row.template]);
      expect(res.text).not.toContain(bob.userId);
    });

    it.each(ROUTES.map((r) => [`${r.method} ${r.template}`, r] as const))(
      '%s: an admin gets past authorization for B',
      async (_name, row) => {
        if (row.template.endsWith('/withdraw')) {
          // Set-up, so that this row alone (`-t`) has something to withdraw.
          const deposit = `/users/${bob.userId}/balance/deposit`;
          await expectStatus(as(admin.accessToken, 'POST', deposit, { amount: '1.00' }), 201);
        }
        const res = await as(
          admin.accessToken,
          row.method,
          row.path(bob.userId, 'NOSUCHSESSION'),
          row.body,
        );
        // What the handler answers once authorization let the admin through.
        const handled: Record<string, [number, string?]> = {
          'GET /users/:user_id/profile': [200],
          'PUT /users/:user_id/profile': [200],
          'POST /users/:user_id/password': [422, 'invalid_current_password'],
          'GET /users/:user_id/sessions': [200],
          'DELETE /users/:user_id/sessions/:session_id': [404, 'not_found'],
          'GET /users/:user_id/balance': [200],
          'POST /users/:user_id/balance/deposit': [201],
          'POST /users/:user_id/balance/withdraw': [201],
          'GET /users/:user_id/balance/transactions': [200],
          'GET /users/:user_id/portfolio': [200],
        };
        const [status, code] = handled[`${row.method} ${row.template}`];
        expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
      },
    );

    it("an admin reads and changes B's profile", async () => {
      const read = await expectStatus(
        as(admin.accessToken, 'GET', `/users/${bob.userId}/profile`),
        200,
      );
      expect(read.body).toMatchObject({ user_id: bob.userId, first_name: 'Bob' });
      const put = await expectStatus(
        as(admin.accessToken, 'PUT', `/users/${bob.userId}/profile`, {
          last_name: 'Builder',
        }),
        200,
      );
      expect(put.body.user).toMatchObject({ user_id: bob.userId, last_name: 'Builder' });
    });
  });

  describe('service tokens', () => {
    it('may not read profiles or act as a user (403), but authenticate (not 401)', async () => {
      const token = createServiceToken(t, 'order-service');
      for (const [method, path] of [
        ['GET', `/users/${bob.userId}/profile`],
        ['GET', '/auth/profile'],
        ['GET', `/users/${bob.userId}/sessions`],
        ['POST', '/auth/logout'],
      ] as const) {
        expectProblem(await as(token, method, path), 403, 'forbidden');
      }
    });

    it("may read any user's balance when that route exists", async () => {
      const token = createServiceToken(t, 'order-service');
      const row = ROUTES.find((r) => r.template === '/users/:user_id/balance')!;
      expect(registered(row)).toBe(true);
      const res = await as(token, 'GET', `/users/${bob.userId}/balance`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ user_id: bob.userId, currency: 'USD' });
      // The same balance an admin reads.
      const read = await as(admin.accessToken, 'GET', `/users/${bob.userId}/balance`);
      expect(res.body).toEqual(read.body);
      expectProblem(await as(token, 'GET', '/users/me/balance'), 403, 'forbidden');
    });
  });

  it('a promotion to admin applies to tokens already issued', async () => {
    const c = await createCustomer(t.http);
    expectProblem(
      await as(c.accessToken, 'GET', `/users/${alice.userId}/profile`),
      403,
      'forbidden',
    );
    await t.app
      .get((await import('../src/auth/admin-bootstrap.service')).AdminBootstrapService)
      .createOrPromote({
        username: c.username,
        email: c.email,
        password: c.password,
      });
    await expectStatus(as(c.accessToken, 'GET', `/users/${alice.userId}/profile`), 200);
  });
});
