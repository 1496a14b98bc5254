import request from 'supertest';
import { runCli } from './utils/cli';
import { startTestApp, TEST_JWT_SECRET, TestApp } from './utils/test-app';
import { createCustomer, loginUser, strongPassword, uniqueUsername } from './utils/users';
import { jwtClaims } from './utils/jwt';

const TOKEN_CLI = 'src/cli/service-token.ts';
const ADMIN_CLI = 'src/cli/create-admin.ts';

describe('CLIs: user:create-admin and token:service (e2e)', () => {
  let t: TestApp;
  let env: Record<string, string>;

  beforeAll(async () => {
    t = await startTestApp('cli');
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
    const res = await request(t.http)
      .get(`/users/${customer.userId}/profile`)
      .set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(403);
    const balance = await request(t.http)
      .get(`/users/${customer.userId}/balance`)
      .set('Authorization', `Bearer ${token}`);
    expect([401, 403]).not.toContain(balance.status);
  });

  it('token:service refuses a bad name or lifetime with exit code 1', async () => {
    const run = await runCli(TOKEN_CLI, ['--name', 'Bad Name', '--days', '0'], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/Service name|Days/);
    expect(run.stdout).toBe('');
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
    const read = await request(t.http)
      .get(`/users/${customer.userId}/profile`)
      .set('Authorization', `Bearer ${admin.accessToken}`)
      .expect(200);
    expect(read.body.user_id).toBe(customer.userId);
    const me = await request(t.http)
      .get('/users/me/profile')
      .set('Authorization', `Bearer ${admin.accessToken}`);
    expect(me.body.role).toBe('admin');

    const promoted = await runCli(
      ADMIN_CLI,
      ['--username', customer.username, '--email', customer.email, '--password', customer.password],
      env,
    );
    expect(promoted.code).toBe(0);
    expect(promoted.stdout).toMatch(/^Promoted admin /);
    // The promotion applies to the customer's existing token, and their password is unchanged.
    const after = await request(t.http)
      .get('/users/me/profile')
      .set('Authorization', `Bearer ${customer.accessToken}`);
    expect(after.body.role).toBe('admin');
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
