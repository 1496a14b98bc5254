import request from 'supertest';
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

function fields(body: { errors?: { field: string; message: string }[] }): string[] {
  return (body.errors ?? []).map((e) => e.field);
}

describe('hostile input (issue 8)', () => {
  let t: TestApp;
  let customer: Customer;

  beforeAll(async () => {
    t = await startTestApp('hostile_input');
    customer = await createCustomer(t.http);
  });

  afterAll(async () => {
    await t.close();
  });

  const auth = () => ({ Authorization: `Bearer ${customer.accessToken}` });

  describe('lone UTF-16 surrogates', () => {
    it('rejects an unpaired surrogate in the register e-mail with 422 naming the field', async () => {
      const res = await request(t.http)
        .post('/auth/register')
        .send(registerBody({ email: `a${LONE_HIGH}b@ex.com` }));
      expect(res.status).toBe(422);
      expect(fields(res.body)).toEqual(['email']);
    });

    it('rejects an unpaired surrogate in a profile update and in nested or unknown places', async () => {
      const res = await request(t.http)
        .put('/users/me/profile')
        .set(auth())
        .send({ email: `x${LONE_HIGH}@ex.com`, first_name: `Jo\udc00` });
      expect(res.status).toBe(422);
      expect(fields(res.body).sort()).toEqual(['email', 'first_name']);
    });

    it('answers a query string whose escapes decode to no valid text with 422, not 500', async () => {
      // Percent-escapes of a UTF-8-encoded surrogate (ED A0 80): the pipe's surrogate check and the
      // cursor check stand between them and the store.
      const res = await request(t.http)
        .get('/users/me/balance/transactions?cursor=a%ED%A0%80')
        .set(auth());
      expect(res.status).toBe(422);
      expect(fields(res.body)).toEqual(['cursor']);
    });

    it('still accepts a properly paired surrogate (an emoji) where any text is allowed', async () => {
      const res = await request(t.http)
        .post('/users/me/balance/deposit')
        .set(auth())
        .send({ amount: '1.00', description: `savings ${ASTRAL}` });
      expect(res.status).toBe(201);
    });
  });

  describe('key byte lengths', () => {
    it('answers an over-long login identifier exactly like an unknown user (401, same body)', async () => {
      const longId = ASTRAL.repeat(254);
      const unknown = await request(t.http)
        .post('/auth/login')
        .send({ username: 'nobody_here_at_all', password: 'some password 123' });
      const tooLong = await request(t.http)
        .post('/auth/login')
        .set('X-Request-ID', 'hostile-long-login')
        .send({ username: longId, password: 'some password 123' });
      const longEmail = await request(t.http)
        .post('/auth/login')
        .send({ username: `${ASTRAL.repeat(249)}@x.io`, password: 'some password 123' });
      expect(unknown.status).toBe(401);
      for (const res of [tooLong, longEmail]) {
        expect(res.status).toBe(401);
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
      const res = await request(t.http).post('/auth/register').send(registerBody({ email }));
      expect(res.status).toBe(422);
      expect(fields(res.body)).toEqual(['email']);
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
      const statuses: number[] = [];
      for (const email of forms) {
        const res = await request(t.http).post('/auth/register').send(registerBody({ email }));
        statuses.push(res.status);
        if (res.status === 201) expect(res.body.user.email).toBe(`${local}@xn--mnchen-3ya.de`);
        else expect(res.body.code).toBe('email_taken');
      }
      expect(statuses).toEqual([201, 409, 409]);
    });

    it('logs in with any form of the address', async () => {
      const local = uniqueUsername('k');
      const body = registerBody({ email: `${local}@mu\u0308nchen.de` });
      expect((await request(t.http).post('/auth/register').send(body)).status).toBe(201);
      const res = await request(t.http)
        .post('/auth/login')
        .send({ username: `${local.toUpperCase()}@MÜNCHEN.DE`, password: body.password });
      expect(res.status).toBe(200);
    });

    it('rejects a local part mixing Latin and Cyrillic letters with 422', async () => {
      const res = await request(t.http)
        .post('/auth/register')
        .send(registerBody({ email: 'p\u0430ypal@example.com' }));
      expect(res.status).toBe(422);
      expect(fields(res.body)).toEqual(['email']);
    });

    it('treats a username differing only in case as taken', async () => {
      const res = await request(t.http)
        .post('/auth/register')
        .send(registerBody({ username: customer.username.toUpperCase() }));
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('username_taken');
    });
  });

  describe('password context', () => {
    it('rejects a registration password containing the username or the e-mail local part', async () => {
      const username = uniqueUsername('ctx');
      const viaUsername = await request(t.http)
        .post('/auth/register')
        .send(registerBody({ username, password: `My ${username.toUpperCase()} pass!` }));
      expect(viaUsername.status).toBe(422);
      expect(fields(viaUsername.body)).toEqual(['password']);
      const viaEmail = await request(t.http)
        .post('/auth/register')
        .send(registerBody({ email: 'zebracorn@example.com', password: 'my ZebraCorn pass!!' }));
      expect(viaEmail.status).toBe(422);
      expect(fields(viaEmail.body)).toEqual(['password']);
    });

    it('rejects a new password equal to the current one or containing the username', async () => {
      const user = await createCustomer(t.http);
      const headers = { Authorization: `Bearer ${user.accessToken}` };
      const same = await request(t.http)
        .post('/users/me/password')
        .set(headers)
        .send({ current_password: user.password, new_password: user.password });
      expect(same.status).toBe(422);
      expect(fields(same.body)).toEqual(['new_password']);
      const withName = await request(t.http)
        .post('/users/me/password')
        .set(headers)
        .send({ current_password: user.password, new_password: `x ${user.username} y z` });
      expect(withName.status).toBe(422);
      expect(fields(withName.body)).toEqual(['new_password']);
    });
  });

  describe('one accurate message per cause', () => {
    it.each([
      ['abc', 'limit must be an integer number'],
      ['1.5', 'limit must be an integer number'],
      ['-1', 'limit must not be less than 1'],
      ['101', 'limit must not be greater than 100'],
    ])('limit=%s answers "%s" only', async (limit, message) => {
      const res = await request(t.http)
        .get(`/users/me/balance/transactions?limit=${limit}`)
        .set(auth());
      expect(res.status).toBe(422);
      expect(res.body.errors).toEqual([{ field: 'limit', message }]);
    });

    it('says a non-string description must be a string', async () => {
      const res = await request(t.http)
        .post('/users/me/balance/deposit')
        .set(auth())
        .send({ amount: '1.00', description: 123 });
      expect(res.status).toBe(422);
      expect(res.body.errors).toEqual([
        { field: 'description', message: 'description must be a string' },
      ]);
    });

    it('says a negative amount is out of range, not malformed', async () => {
      const res = await request(t.http)
        .post('/users/me/balance/deposit')
        .set(auth())
        .send({ amount: -5 });
      expect(res.status).toBe(422);
      expect(res.body.errors).toEqual([
        { field: 'amount', message: 'amount must be between 0.01 and 1000000.00' },
      ]);
    });
  });
});
