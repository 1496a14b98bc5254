import { gzipSync } from 'node:zlib';
import { Api } from './utils/ledger-http';
import { expectProblem, PROBLEM_JSON } from './utils/problems';
import { listen, rawRequest, RawResponse } from './utils/raw-http';
import { startTestApp, TestApp } from './utils/test-app';
import { createCustomer, Customer } from './utils/users';

/** A framework-level rejection: problem+json, a request id, security headers, nothing echoed. */
function expectRawProblem(res: RawResponse, status: number, code: string): void {
  expect({ status: res.status, type: res.headers['content-type'] }).toEqual({
    status,
    type: expect.stringMatching(PROBLEM_JSON),
  });
  const body = JSON.parse(res.body) as Record<string, unknown>;
  expect(body).toMatchObject({ status, code, type: `urn:problem-type:user-service:${code}` });
  // The id the response carries (generated: none was sent), echoed in the body.
  expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  expect(body.request_id).toBe(res.headers['x-request-id']);
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.raw).not.toMatch(/FST_|HPE_|ERR_/);
}

const nested = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

describe('HTTP edge: hostile bodies and framework errors (e2e)', () => {
  let t: TestApp;
  let port: number;
  let api: Api;
  let alice: Customer;

  beforeAll(async () => {
    t = await startTestApp('http_edge');
    port = await listen(t.app);
    api = new Api(`http://127.0.0.1:${port}`);
    alice = await createCustomer(t.http);
  });
  afterAll(async () => {
    await t.close();
  });

  const post = (path: string, rawBody: string, token?: string, headers?: Record<string, string>) =>
    api.call('POST', path, { rawBody, token, headers });
  const deposit = (amountSource: string) =>
    post('/users/me/balance/deposit', `{"amount": ${amountSource}}`, alice.accessToken);
  const balance = async () =>
    (await api.get('/users/me/balance', alice.accessToken)).body.current_balance as string;

  describe('nesting depth (limit 32)', () => {
    it.each(['/auth/login', '/auth/register', '/auth/refresh', '/users/me/balance/deposit'])(
      'rejects a body nested 1,300 levels deep on %s with 400 json_too_deep',
      async (path) => {
        const res = await post(path, `{"username": ${nested(1300)}}`, alice.accessToken);
        expectProblem(res, 400, 'json_too_deep');
      },
    );

    it('still validates a body nested within the limit (422, not 400)', async () => {
      const res = await post('/auth/login', `{"username": ${nested(30)}, "password": "x"}`);
      expectProblem(res, 422, 'validation_failed');
    });

    it('rejects prototype-poisoning keys with 400', async () => {
      const res = await post(
        '/auth/login',
        '{"username":"abcdef","password":"x","__proto__":{"role":"admin"}}',
      );
      expectProblem(res, 400, 'bad_request');
      const ctor = await post(
        '/auth/login',
        '{"username":"abcdef","constructor":{"prototype":{"role":"admin"}}}',
      );
      expectProblem(ctor, 400, 'bad_request');
    });
  });

  describe('numbers are read from their source text', () => {
    const FORMAT = 'amount must be a number or a numeric string with at most 2 decimal places';
    const RANGE = 'amount must be between 0.01 and 1000000.00';
    it.each([
      ['1.999999999999999999', FORMAT],
      ['999999.9999999999999', FORMAT],
      ['1e2', FORMAT],
      ['1E2', FORMAT],
      ['1.005', FORMAT],
      ['-0', RANGE],
    ])(
      'rejects the JSON number %s as an amount with 422 naming amount, balance unchanged',
      async (source, message) => {
        const before = await balance();
        const res = await deposit(source);
        expectProblem(res, 422, 'validation_failed');
        expect(res.body.errors).toEqual([{ field: 'amount', message }]);
        expect(await balance()).toBe(before);
      },
    );

    it('accepts the JSON number 1.50 exactly as the string "1.50"', async () => {
      const before = await balance();
      const res = await deposit('1.50');
      expect(res.status).toBe(201);
      expect(res.body.transaction.amount).toBe('1.50');
      expect(res.body.balance.current_balance).toBe((Number(before) + 1.5).toFixed(2));
    });

    it.each([
      ['/auth/login', '{"username": 12345678901234567890, "password": "x"}'],
      ['/auth/refresh', '{"refresh_token": 1.50}'],
      ['/auth/register', '{"username": "abcdefg", "first_name": 1e400}'],
    ])(
      'answers a non-round-tripping number where none is expected (%s) with 422',
      async (path, body) => {
        expectProblem(await post(path, body), 422, 'validation_failed');
      },
    );
  });

  describe('empty bodies', () => {
    it('logs out with Content-Type application/json and an empty body: 200 and the session ends', async () => {
      const bob = await createCustomer(t.http);
      const res = await post('/auth/logout', '', bob.accessToken);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ message: 'Logged out successfully' });
      expectProblem(await api.get('/users/me/profile', bob.accessToken), 401, 'invalid_token');
    });

    it('answers an empty body on a route whose body is required with 422 naming the fields', async () => {
      const res = await post('/auth/login', '');
      expectProblem(res, 422, 'validation_failed');
      expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
        'password',
        'username',
      ]);
    });
  });

  it('answers a POST with no body at all on a route whose body is required with 422', async () => {
    const res = await api.call('POST', '/auth/refresh');
    expectProblem(res, 422, 'validation_failed');
  });

  it('logs out with no body and no Content-Type', async () => {
    const carol = await createCustomer(t.http);
    const res = await api.call('POST', '/auth/logout', { token: carol.accessToken });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Logged out successfully' });
    expectProblem(await api.get('/users/me/profile', carol.accessToken), 401, 'invalid_token');
  });

  describe('Content-Encoding', () => {
    it.each(['gzip', 'br', 'x-anything'])(
      'rejects a body sent with Content-Encoding: %s with 415',
      async (encoding) => {
        const body = JSON.stringify({ username: 'abcdef', password: 'whatever it is' });
        const res = await api.call('POST', '/auth/login', {
          rawBody: encoding === 'gzip' ? gzipSync(body) : body,
          headers: { 'Content-Type': 'application/json', 'Content-Encoding': encoding },
        });
        expectProblem(res, 415, 'unsupported_content_encoding');
      },
    );

    it('reads a body sent with Content-Encoding: identity as usual', async () => {
      const res = await api.call('POST', '/auth/login', {
        body: { username: 'nobody_here', password: 'whatever it is' },
        headers: { 'Content-Encoding': 'identity' },
      });
      expectProblem(res, 401, 'invalid_credentials');
    });
  });

  describe('framework-level errors are problem+json', () => {
    it('GET /%zz → 400 invalid_url without echoing the path', async () => {
      const res = await rawRequest(
        port,
        'GET /%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      );
      expectRawProblem(res, 400, 'invalid_url');
      expect(res.body).not.toContain('%zz');
    });

    it('a path parameter over the length limit → 414 uri_too_long', async () => {
      const res = await rawRequest(
        port,
        `GET /users/${'a'.repeat(300)}/profile HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      );
      expectRawProblem(res, 414, 'uri_too_long');
    });

    it.each([
      ['a huge header', `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`],
      ['a huge query', `GET /health?q=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`],
    ])('%s → 431 headers_too_large, connection closed', async (_label, text) => {
      const res = await rawRequest(port, text);
      expectRawProblem(res, 431, 'headers_too_large');
      expect(res.headers.connection).toBe('close');
    });

    it.each([
      [
        'duplicate Content-Length',
        'POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}',
      ],
      [
        'Content-Length with Transfer-Encoding',
        'POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n',
      ],
      ['an unknown method', 'FOO /health HTTP/1.1\r\nHost: x\r\n\r\n'],
    ])('%s → 400 bad_request', async (_label, text) => {
      const res = await rawRequest(port, text);
      expectRawProblem(res, 400, 'bad_request');
      expect(res.headers.connection).toBe('close');
    });
  });
});
