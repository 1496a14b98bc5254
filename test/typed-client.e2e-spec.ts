import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { OpenAPIObject } from '@nestjs/swagger';
import { createUserServiceClient, UserServiceClient } from '../client';
import { servedDocument } from '../scripts/openapi-document';
import { COMPATIBILITY_ROUTES } from '../src/docs/compatibility-routes';
import { HTTP_METHODS } from '../src/docs/handler-routes';
import { listen } from './utils/ledger-http';
import { recordSecrets } from './utils/run-audit';
import { startTestApp, TestApp } from './utils/test-app';
import { strongPassword, uniqueUsername } from './utils/users';

/** The served document's operations as `GET /path` → operation. */
function operations(doc: OpenAPIObject) {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    HTTP_METHODS.flatMap((method) => {
      const op = item[method];
      return op ? [{ route: `${method.toUpperCase()} ${path}`, op }] : [];
    }),
  );
}

describe('typed client (client/, generated from the OpenAPI document)', () => {
  let t: TestApp;
  let base: string;
  let doc: OpenAPIObject;

  beforeAll(async () => {
    t = await startTestApp('typed_client');
    const http = await listen(t);
    base = http.base;
    doc = (await http.call('GET', '/docs-json')).body as OpenAPIObject;
  });
  afterAll(async () => {
    await t.close();
  });

  describe('the document', () => {
    it('is what the generator builds without a server or database', async () => {
      expect(await servedDocument()).toEqual(doc);
    });

    it('matches the committed client/schema.d.ts (`npm run client:generate` when not)', async () => {
      // A child process: openapi-typescript and Prettier load ES modules, which jest cannot.
      const check = promisify(execFile)(
        process.execPath,
        ['-r', 'ts-node/register/transpile-only', 'scripts/client-generate.ts', '--check'],
        { cwd: join(__dirname, '..'), timeout: 120_000 },
      );
      await expect(check).resolves.toMatchObject({ stdout: expect.stringContaining('up to date') });
    });

    it('gives every operation a unique camelCase operationId and a summary', () => {
      const ids = operations(doc).map(({ op }) => op.operationId);
      expect(new Set(ids).size).toBe(ids.length);
      for (const { route, op } of operations(doc)) {
        expect([route, op.operationId]).toEqual([
          route,
          expect.stringMatching(/^[a-z][A-Za-z0-9]*$/),
        ]);
        expect([route, Boolean(op.summary)]).toEqual([route, true]);
      }
      const id = (route: string) => operations(doc).find((o) => o.route === route)?.op.operationId;
      expect(id('GET /users/{user_id}/balance')).toBe('getBalance');
      expect(id('GET /balance')).toBe('legacyGetBalance');
      expect(id('POST /users/{user_id}/balance/deposit')).toBe('deposit');
      expect(id('GET /health/detailed')).toBe('getReadinessDetailed');
    });

    it('describes every response and every tag', () => {
      for (const { route, op } of operations(doc)) {
        for (const [status, response] of Object.entries(op.responses)) {
          const described = response && 'description' in response && response.description !== '';
          expect([route, status, described]).toEqual([route, status, true]);
        }
      }
      for (const tag of doc.tags ?? [])
        expect([tag.name, Boolean(tag.description)]).toEqual([tag.name, true]);
      const used = new Set(operations(doc).flatMap(({ op }) => op.tags ?? []));
      expect((doc.tags ?? []).map((tag) => tag.name).sort()).toEqual([...used].sort());
    });

    it('marks exactly the compatibility routes deprecated, each with its own summary', () => {
      const deprecated = operations(doc).filter(({ op }) => op.deprecated);
      expect(deprecated.map(({ route }) => route).sort()).toEqual(
        Object.keys(COMPATIBILITY_ROUTES).sort(),
      );
      for (const { op } of deprecated) {
        expect(op.summary).not.toMatch(/user_id/);
        expect(op.description).toMatch(/^Deprecated: /);
      }
      const profile = operations(doc).find(({ route }) => route === 'GET /auth/profile')?.op;
      expect(profile?.description).toContain('`GET /users/{user_id}/profile`');
      expect(profile?.parameters?.map((p) => ('name' in p ? p.name : p.$ref))).toEqual([]);
    });
  });

  describe('drives the API through createUserServiceClient', () => {
    let api: UserServiceClient;
    let token: string | undefined;

    beforeAll(() => {
      api = createUserServiceClient(base, { token: () => token });
    });

    it('registers, logs in, deposits, withdraws, reads the history, balance and portfolio', async () => {
      const username = uniqueUsername('client');
      const password = strongPassword();
      recordSecrets(password);

      const registered = await api.POST('/auth/register', {
        body: {
          username,
          email: `${username}@example.com`,
          password,
          first_name: 'Typed',
          last_name: 'Client',
        },
      });
      expect(registered.response.status).toBe(201);
      expect(registered.data?.user.username).toBe(username);

      const login = await api.POST('/auth/login', { body: { username, password } });
      expect(login.response.status).toBe(200);
      if (!login.data) throw new Error('no tokens');
      recordSecrets(login.data.access_token, login.data.refresh_token);
      token = login.data.access_token;
      const me = { path: { user_id: 'me' } };

      const deposit = await api.POST('/users/{user_id}/balance/deposit', {
        params: { ...me, header: { 'Idempotency-Key': `client-${username}` } },
        body: { amount: '100.50', description: 'typed client' },
      });
      expect(deposit.response.status).toBe(201);
      expect(deposit.data?.balance.current_balance).toBe('100.50');

      const withdraw = await api.POST('/users/{user_id}/balance/withdraw', {
        params: me,
        body: { amount: 40 },
      });
      expect(withdraw.data?.balance.current_balance).toBe('60.50');

      const tooMuch = await api.POST('/users/{user_id}/balance/withdraw', {
        params: me,
        body: { amount: '1000.00' },
      });
      expect(tooMuch.response.status).toBe(422);
      expect(tooMuch.error?.code).toBe('insufficient_funds');

      const history = await api.GET('/users/{user_id}/balance/transactions', {
        params: { ...me, query: { limit: 10 } },
      });
      expect(history.data?.transactions.map((tx) => [tx.transaction_type, tx.amount])).toEqual([
        ['withdraw', '-40.00'],
        ['deposit', '100.50'],
      ]);

      const balance = await api.GET('/users/{user_id}/balance', { params: me });
      expect(balance.data).toMatchObject({ current_balance: '60.50', available_balance: '60.50' });
      const legacy = await api.GET('/balance');
      expect(legacy.data).toEqual(balance.data);

      const portfolio = await api.GET('/users/{user_id}/portfolio', { params: me });
      expect(portfolio.data).toMatchObject({
        cash_balance: '60.50',
        assets: [],
        pricing_status: 'ok', // nothing to price
      });
    });

    it('is typed: an undocumented path or a wrong body does not compile', () => {
      const neverCalled = () => {
        // @ts-expect-error not a documented path
        void api.GET('/users/{user_id}/wallet', { params: { path: { user_id: 'me' } } });
        // @ts-expect-error `amount` is required
        void api.POST('/balance/deposit', { body: { description: 'no amount' } });
        // @ts-expect-error the canonical route needs its `user_id`
        void api.GET('/users/{user_id}/balance');
      };
      expect(neverCalled).toBeInstanceOf(Function);
    });

    it('returns problem+json errors typed as Problem', async () => {
      const anonymous = createUserServiceClient(base);
      const res = await anonymous.GET('/users/{user_id}/balance', {
        params: { path: { user_id: 'me' } },
      });
      expect(res.response.status).toBe(401);
      expect(res.error).toMatchObject({ status: 401, code: 'unauthorized' });
    });
  });
});
