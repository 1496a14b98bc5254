import { Api, ApiResponse, listen } from './utils/ledger-http';
import { expectProblem } from './utils/problems';
import { startTestApp, TestApp } from './utils/test-app';
import { createCustomer, Customer, strongPassword, uniqueUsername } from './utils/users';

const LONE_HIGH = '\ud800';
const ASTRAL = '\u{1F600}';

function registerBody(overrides: Record<string, unknown> = {}) {
  const username = uniqueUsername('hostile');
  return {
    username,
    email: `${username}@example.com`,
    password: strongPassword(),
    first_name: 'Test',
    last_name: 'User',
    ...overrides,
  };
}

/** The fields a 422 validation_failed problem names. */
function fields(res: ApiResponse): string[] {
  expectProblem(res, 422, 'validation_failed');
  return (res.body.errors as { field: string }[]).map((e) => e.field);
}

describe('hostile input (issue 8)', () => {
  let t: TestApp;
  let api: Api;
  let customer: Customer;

  beforeAll(async () => {
    t = await startTestApp('hostile_input');
    api = await listen(t);
    customer = await createCustomer(t.http);
  });

  afterAll(async () => {
    await t.close();
  });

  const register = (body: object) => api.call('POST', '/auth/register', { body });
  const login = (body: object, headers?: Record<string, string>) =>
    api.call('POST', '/auth/login', { body, headers });
  /** A call as this file's customer. */
  const asCustomer = (method: string, path: string, body?: object) =>
    api.call(method, path, { token: customer.accessToken, body });

  describe('lone UTF-16 surrogates', () => {
    it('rejects an unpaired surrogate in the register e-mail with 422 naming the field', async () => {
      const res = await register(registerBody({ email: `a${LONE_HIGH}b@ex.com` }));
      expect(fields(res)).toEqual(['email']);
    });

    it('rejects an unpaired surrogate in a profile update and in nested or unknown places', async () => {
      const res = await asCustomer('PUT', '/users/me/profile', {
        email: `x${LONE_HIGH}@ex.com`,
        first_name: `Jo\udc00`,
      });
      expect(fields(res).sort()).toEqual(['email', 'first_name']);
    });

    it('answers a query string whose escapes decode to no valid text with 422, not 500', async () => {
      // Percent-escapes of a UTF-8-encoded surrogate (ED A0 80): the pipe's surrogate check and the
      // cursor check stand between them and the store.
      const res = await asCustomer('GET', '/users/me/balance/transactions?cursor=a%ED%A0%80');
      expect(fields(res)).toEqual(['cursor']);
    });

    it('still accepts a properly paired surrogate (an emoji) where any text is allowed', async () => {
      const res = await asCustomer('POST', '/users/me/balance/deposit', {
        amount: '1.00',
        description: `savings ${ASTRAL}`,
      });
      expect(res.status).toBe(201);
      expect(res.body.transaction).toMatchObject({
        amount: '1.00',
        description: `savings ${ASTRAL}`,
      });
    });
  });

  describe('key byte lengths', () => {
    it('answers an over-long login identifier exactly like an unknown user (401, same body)', async () => {
      const longId = ASTRAL.repeat(254);
      const unknown = await login({
        username: 'nobody_here_at_all',
        password: 'some password 123',
      });
      const tooLong = await login(
        { username: longId, password: 'some password 123' },
        { 'X-Request-ID': 'hostile-long-login' },
      );
      const longEmail = await login({
        username: `${ASTRAL.repeat(249)}@x.io`,
        password: 'some password 123',
      });
      expectProblem(unknown, 401, 'invalid_credentials');
      for (const res of [tooLong, longEmail]) {
        expectProblem(res, 401, 'invalid_credentials');
        expect({ ...res.body, request_id: 'x' }).toEqual({ ...unknown.body, request_id: 'x' });
      }
      // It went the unknown-user way: counted for lockout and compared against the dummy hash.
      const audit = t.logs.lines
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .find((entry) => entry.audit && entry.request_id === 'hostile-long-login');
      expect(audit).toMatchObject({
        event: 'auth.login',
        result: 'failure',
        reason: 'unknown_user',
      });
      expect(audit?.count).toBe(1);
    });

    it('rejects an e-mail whose UTF-8 form exceeds 254 bytes with 422 naming the field', async () => {
      // 236 characters (so a character limit lets it through) but 268 bytes of UTF-8.
      const domain = ['a', 'b', 'c'].map((c) => c.repeat(63)).join('.') + '.example.com';
      const email = `${'é'.repeat(32)}@${domain}`;
      expect(fields(await register(registerBody({ email })))).toEqual(['email']);
    });
  });

  describe('e-mail canonical form', () => {
    it('registers only one of the composed, combining and punycode forms of one address', async () => {
      const local = uniqueUsername('j');
      const forms = [
        `${local}@münchen.de`,
        `${local}@mu\u0308nchen.de`,
        `${local}@XN--MNCHEN-3YA.de`,
      ];
      const answers: ApiResponse[] = [];
      for (const email of forms) answers.push(await register(registerBody({ email })));
      expect(answers[0].status).toBe(201);
      expect(answers[0].body.user.email).toBe(`${local}@xn--mnchen-3ya.de`);
      expectProblem(answers[1], 409, 'email_taken');
      expectProblem(answers[2], 409, 'email_taken');
    });

    it('logs in with any form of the address', async () => {
      const local = uniqueUsername('k');
      const body = registerBody({ email: `${local}@mu\u0308nchen.de` });
      const registered = await register(body);
      expect(registered.status).toBe(201);
      const res = await login({
        username: `${local.toUpperCase()}@MÜNCHEN.DE`,
        password: body.password,
      });
      expect(res.status).toBe(200);
      expect(res.body.user_id).toBe(registered.body.user.user_id);
    });

    it('rejects a local part mixing Latin and Cyrillic letters with 422', async () => {
      const res = await register(registerBody({ email: 'p\u0430ypal@example.com' }));
      expect(fields(res)).toEqual(['email']);
    });

    it('treats a username differing only in case as taken', async () => {
      const res = await register(registerBody({ username: customer.username.toUpperCase() }));
      expectProblem(res, 409, 'username_taken');
    });
  });

  describe('password context', () => {
    it('rejects a registration password containing the username or the e-mail local part', async () => {
      const username = uniqueUsername('ctx');
      const viaUsername = await register(
        registerBody({ username, password: `My ${username.toUpperCase()} pass!` }),
      );
      expect(fields(viaUsername)).toEqual(['password']);
      const viaEmail = await register(
        registerBody({ email: 'zebracorn@example.com', password: 'my ZebraCorn pass!!' }),
      );
      expect(fields(viaEmail)).toEqual(['password']);
    });

    it('rejects a new password equal to the current one or containing the username', async () => {
      const user = await createCustomer(t.http);
      const change = (body: object) =>
        api.call('POST', '/users/me/password', { token: user.accessToken, body });
      const same = await change({ current_password: user.password, new_password: user.password });
      expect(fields(same)).toEqual(['new_password']);
      const withName = await change({
        current_password: user.password,
        new_password: `x ${user.username} y z`,
      });
      expect(fields(withName)).toEqual(['new_password']);
    });
  });

  describe('one accurate message per cause', () => {
    it.each([
      ['abc', 'limit must be an integer number'],
      ['1.5', 'limit must be an integer number'],
      ['-1', 'limit must not be less than 1'],
      ['101', 'limit must not be greater than 100'],
    ])('limit=%s answers "%s" only', async (limit, message) => {
      const res = await asCustomer('GET', `/users/me/balance/transactions?limit=${limit}`);
      expectProblem(res, 422, 'validation_failed');
      expect(res.body.errors).toEqual([{ field: 'limit', message }]);
    });

    it('says a non-string description must be a string', async () => {
      const res = await asCustomer('POST', '/users/me/balance/deposit', {
        amount: '1.00',
        description: 123,
      });
      expectProblem(res, 422, 'validation_failed');
      expect(res.body.errors).toEqual([
        { field: 'description', message: 'description must be a string' },
      ]);
    });

    it('says a negative amount is out of range, not malformed', async () => {
      const res = await asCustomer('POST', '/users/me/balance/deposit', { amount: -5 });
      expectProblem(res, 422, 'validation_failed');
      expect(res.body.errors).toEqual([
        { field: 'amount', message: 'amount must be between 0.01 and 1000000.00' },
      ]);
    });
  });
});
