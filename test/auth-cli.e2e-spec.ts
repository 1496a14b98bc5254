import { runCli } from './utils/cli';
import { Api, listen } from './utils/ledger-http';
import { expectProblem } from './utils/problems';
import { startTestApp, TEST_JWT_SECRET, TestApp } from './utils/test-app';
import { createCustomer, loginUser, strongPassword, uniqueUsername } from './utils/users';
import { jwtClaims } from './utils/jwt';

const TOKEN_CLI = 'src/cli/service-token.ts';
const ADMIN_CLI = 'src/cli/create-admin.ts';

describe('CLIs: user:create-admin and token:service (e2e)', () => {
  let t: TestApp;
  let api: Api;
  let env: Record<string, string>;

  beforeAll(async () => {
    t = await startTestApp('cli');
    api = await listen(t);
    env = {
      NODE_ENV: 'test',
      DYNAMODB_ENDPOINT: t.config.dynamodb.endpoint!,
      DYNAMODB_TABLE_NAME: t.config.dynamodb.tableName,
      JWT_SECRET_KEY: TEST_JWT_SECRET,
      BCRYPT_COST: '4',
    };
  });
  afterAll(async () => {
    await t.close();
  });

  it('token:service prints a service JWT as the last line, which the API accepts as a service', async () => {
    const run = await runCli(TOKEN_CLI, ['--name', 'order-service', '--days', '30'], env, {
      printsSecret: true,
    });
    expect(run.code).toBe(0);
    const token = run.stdout.trim().split('\n').pop()!;
    const claims = jwtClaims(token);
    expect(claims).toMatchObject({ role: 'service', type: 'access', sub: 'service:order-service' });
    expect(claims.exp - claims.iat).toBe(30 * 86400);
    const customer = await createCustomer(t.http);
    // Authenticated (not 401) but outside a service's scope (403).
    expectProblem(await api.get(`/users/${customer.userId}/profile`, token), 403, 'forbidden');
    const balance = await api.get(`/users/${customer.userId}/balance`, token);
    expect(balance.status).toBe(200);
    expect(balance.body).toMatchObject({ user_id: customer.userId, current_balance: '0.00' });
  });

  it('token:service refuses a bad name or lifetime with exit code 1', async () => {
    const run = await runCli(TOKEN_CLI, ['--name', 'Bad Name', '--days', '0'], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Service name must be 2-63 characters');
    expect(run.stdout).toBe('');
    const days = await runCli(TOKEN_CLI, ['--name', 'order-service', '--days', '0'], env);
    expect(days.code).toBe(1);
    expect(days.stderr).toContain('Days must be a whole number from 1 to');
    expect(days.stdout).toBe('');
  });

  it('user:create-admin creates an admin who can act on other users, and promotes an existing user', async () => {
    const username = uniqueUsername('root');
    const password = strongPassword();
    const created = await runCli(
      ADMIN_CLI,
      ['--username', username, '--email', `${username}@example.com`, '--password', password],
      env,
    );
    expect(created.stderr).not.toContain(password);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^Created admin /);
    const admin = await loginUser(t.http, username, password);
    const customer = await createCustomer(t.http);
    const read = await api.get(`/users/${customer.userId}/profile`, admin.accessToken);
    expect(read.status).toBe(200);
    expect(read.body.user_id).toBe(customer.userId);
    const me = await api.get('/users/me/profile', admin.accessToken);
    expect(me.body).toMatchObject({ username, role: 'admin' });

    const promoted = await runCli(
      ADMIN_CLI,
      ['--username', customer.username, '--email', customer.email, '--password', customer.password],
      env,
    );
    expect(promoted.code).toBe(0);
    expect(promoted.stdout).toMatch(/^Promoted admin /);
    // The promotion applies to the customer's existing token, and their password is unchanged.
    const after = await api.get('/users/me/profile', customer.accessToken);
    expect(after.body).toMatchObject({ user_id: customer.userId, role: 'admin' });
    await expect(loginUser(t.http, customer.username, customer.password)).resolves.toMatchObject({
      userId: customer.userId,
    });
  });

  it('user:create-admin refuses an invalid admin with exit code 1 and says why', async () => {
    const run = await runCli(
      ADMIN_CLI,
      ['--username', 'ab', '--email', 'nope', '--password', 'short'],
      env,
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/username must be/);
  });
});
