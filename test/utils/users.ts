import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { AdminBootstrapService } from '../../src/auth/admin-bootstrap.service';
import { TokenService } from '../../src/auth/tokens/token.service';
import { recordSecrets } from './run-audit';
import type { TestApp } from './test-app';

type Http = TestApp['http'];

export interface RegisteredUser {
  userId: string;
  username: string;
  email: string;
  password: string;
}

export interface LoggedIn {
  accessToken: string;
  refreshToken: string;
  userId: string;
}

export type Customer = RegisteredUser & LoggedIn;

/** A fresh, valid username (6–30 of [a-z0-9_]); unique per call. */
export function uniqueUsername(prefix = 'user'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`.slice(0, 30);
}

/** A password that passes the policy and is unique per call; recorded for the run's log audit. */
export function strongPassword(): string {
  const password = `Pw-${randomBytes(12).toString('base64url')}`;
  recordSecrets(password);
  return password;
}

/** Registers a customer through `POST /auth/register` (expects 201). */
export async function registerUser(
  http: Http,
  overrides: Partial<Record<string, unknown>> = {},
): Promise<RegisteredUser> {
  const username = uniqueUsername();
  const body = {
    username,
    email: `${username}@example.com`,
    password: strongPassword(),
    first_name: 'Test',
    last_name: 'User',
    ...overrides,
  };
  const res = await request(http).post('/auth/register').send(body);
  if (res.status !== 201) {
    throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
  recordSecrets(String(body.password));
  return {
    userId: res.body.user.user_id,
    username: res.body.user.username,
    email: res.body.user.email,
    password: String(body.password),
  };
}

/** Logs in through `POST /auth/login` (expects 200). */
export async function loginUser(http: Http, username: string, password: string): Promise<LoggedIn> {
  const res = await request(http).post('/auth/login').send({ username, password });
  if (res.status !== 200)
    throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  recordSecrets(password, res.body.access_token, res.body.refresh_token);
  return {
    accessToken: res.body.access_token,
    refreshToken: res.body.refresh_token,
    userId: res.body.user_id,
  };
}

/** A registered and logged-in customer. */
export async function createCustomer(
  http: Http,
  overrides: Partial<Record<string, unknown>> = {},
): Promise<Customer> {
  const user = await registerUser(http, overrides);
  return { ...user, ...(await loginUser(http, user.username, user.password)) };
}

/** An admin created through the same code path as `npm run user:create-admin`, logged in. */
export async function createAdmin(testApp: TestApp): Promise<Customer> {
  const username = uniqueUsername('admin');
  const spec = { username, email: `${username}@example.com`, password: strongPassword() };
  const { user } = await testApp.app.get(AdminBootstrapService).createOrPromote(spec);
  const tokens = await loginUser(testApp.http, username, spec.password);
  return { ...tokens, userId: user.userId, username, email: spec.email, password: spec.password };
}

/** An admin's access token (see `createAdmin`). */
export async function createAdminToken(testApp: TestApp): Promise<string> {
  return (await createAdmin(testApp)).accessToken;
}

/** A service token minted by the same code as `npm run token:service`. */
export function createServiceToken(testApp: TestApp, name = 'order-service', days = 1): string {
  const token = testApp.app.get(TokenService).issueServiceToken(name, days);
  recordSecrets(token);
  return token;
}
