import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './load-config';

const dataDir = mkdtempSync(join(tmpdir(), 'cfg-'));
const base = { LOCAL_DATA_DIR: dataDir };
const prod = {
  ...base,
  NODE_ENV: 'production',
  JWT_SECRET_KEY: 'q8Zr1vWm0pLk3NbX7tYc5HsA2dGf9JeU4oQi6',
  SMTP_URL: 'smtps://mailer:pw@smtp.example.net',
  APP_BASE_URL: 'https://app.example.net',
};

function errorOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig(base);
    expect(c.port).toBe(8001);
    expect(c.aws.region).toBe('us-west-2');
    expect(c.dynamodb.tableName).toBe('order-processor-table');
    expect(c.dynamodb.embedded).toBe(true);
    expect(c.jwt.algorithm).toBe('HS256');
    expect(c.jwt.accessTtlSeconds).toBe(1800);
    expect(c.jwt.refreshTtlSeconds).toBe(7 * 86400);
    expect(c.bcryptCost).toBe(12);
    expect(c.limits).toEqual({ dailyDepositCents: 1_000_000, dailyWithdrawCents: 500_000 });
    expect(c.rateLimit).toEqual({
      enabled: true,
      perMinute: 600,
      authPerMinute: 20,
      moneyPerMinute: 120,
    });
    expect(c.login).toEqual({ maxFailures: 5, lockoutSeconds: 900 });
    expect(c.inventory.timeoutMs).toBe(1500);
    expect(c.trustProxy).toBe(0);
    expect(c.docsEnabled).toBe(true);
  });

  it('applies the documented HTTP timeout and shutdown defaults', () => {
    const c = loadConfig(base);
    expect(c.http).toEqual({
      requestTimeoutMs: 30_000,
      connectionTimeoutMs: 120_000,
      keepAliveTimeoutMs: 72_000,
      maxConnections: 10_000,
    });
    expect(c.shutdownTimeoutMs).toBe(25_000);
    expect(loadConfig({ ...base, REQUEST_TIMEOUT_MS: '5000' }).http.requestTimeoutMs).toBe(5000);
  });

  it.each([
    [{ REQUEST_TIMEOUT_MS: '0' }, 'REQUEST_TIMEOUT_MS'],
    [{ KEEP_ALIVE_TIMEOUT_MS: 'soon' }, 'KEEP_ALIVE_TIMEOUT_MS'],
    [{ HTTP_MAX_CONNECTIONS: '0' }, 'HTTP_MAX_CONNECTIONS'],
    [{ SHUTDOWN_TIMEOUT_MS: '4000', SHUTDOWN_DRAIN_MS: '5000' }, 'SHUTDOWN_TIMEOUT_MS'],
  ])('refuses %j naming %s', (env, variable) => {
    expect(errorOf({ ...base, ...env }).variable).toBe(variable);
  });

  it('keeps a generated development secret across loads', () => {
    const a = loadConfig(base).jwt.secret;
    expect(a.length).toBeGreaterThanOrEqual(32);
    expect(loadConfig(base).jwt.secret).toBe(a);
    expect(readFileSync(join(dataDir, 'jwt-secret'), 'utf8')).toBe(a);
  });

  it('parses limits in dollars to integer cents', () => {
    const c = loadConfig({ ...base, DAILY_DEPOSIT_LIMIT: '123.45', DAILY_WITHDRAW_LIMIT: '0.1' });
    expect(c.limits).toEqual({ dailyDepositCents: 12345, dailyWithdrawCents: 10 });
  });

  it('turns docs off and needs no embedded database in production', () => {
    const c = loadConfig(prod);
    expect(c.docsEnabled).toBe(false);
    expect(c.dynamodb.embedded).toBe(false);
    expect(c.dynamodb.createTableIfMissing).toBe(false);
    expect(c.shutdownDrainMs).toBe(5000);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV'],
    [{ JWT_ALGORITHM: 'none' }, 'JWT_ALGORITHM'],
    [{ JWT_ALGORITHM: 'RS256' }, 'JWT_ALGORITHM'],
    [{ BCRYPT_COST: '3' }, 'BCRYPT_COST'],
    [{ DAILY_DEPOSIT_LIMIT: '1e5' }, 'DAILY_DEPOSIT_LIMIT'],
    [{ DAILY_WITHDRAW_LIMIT: '10.001' }, 'DAILY_WITHDRAW_LIMIT'],
    [{ DYNAMODB_ENDPOINT: 'not a url' }, 'DYNAMODB_ENDPOINT'],
    [{ REDIS_URL: 'http://x' }, 'REDIS_URL'],
    [{ TRUST_PROXY: 'true' }, 'TRUST_PROXY'],
    [{ RATE_LIMIT_ENABLED: 'maybe' }, 'RATE_LIMIT_ENABLED'],
    [{ CORS_ORIGINS: 'https://ok.example, not-an-origin' }, 'CORS_ORIGINS'],
    [{ JWT_SECRET_KEY: 'short' }, 'JWT_SECRET_KEY'],
    [{ ...prod, JWT_SECRET_KEY: '' }, 'JWT_SECRET_KEY'],
    [{ ...prod, JWT_SECRET_KEY: 'x'.repeat(31) }, 'JWT_SECRET_KEY'],
    [{ ...prod, JWT_SECRET_KEY: 'change-this-secret-in-production-please' }, 'JWT_SECRET_KEY'],
    [{ ...prod, JWT_SECRET_KEY: 'ab'.repeat(20) }, 'JWT_SECRET_KEY'],
    [{ ...prod, BCRYPT_COST: '9' }, 'BCRYPT_COST'],
    [{ ...prod, SMTP_URL: '' }, 'SMTP_URL'],
    [{ ...prod, APP_BASE_URL: '' }, 'APP_BASE_URL'],
    [{ SMTP_URL: 'http://mail' }, 'SMTP_URL'],
    [{ APP_BASE_URL: 'app.example' }, 'APP_BASE_URL'],
    [{ MAIL_FROM: 'not an address' }, 'MAIL_FROM'],
  ])('rejects %j naming %s in one line', (env, variable) => {
    const err = errorOf({ ...base, ...env });
    expect(err.variable).toBe(variable);
    expect(err.message).toMatch(new RegExp(`^Invalid configuration: ${variable} `));
    expect(err.message).not.toContain('\n');
  });
});
