import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { AppConfig } from './app-config';
import { applyEnvFile } from './env-file';
import { EnvSchema } from './env.schema';

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

const PLACEHOLDER_SECRET =
  /change[-_ ]?me|changeme|change[-_ ]?this|placeholder|example|secret|your[-_ ]?(jwt|key)/i;

/** A placeholder phrase, or too few distinct characters to be a random key. */
function looksLikePlaceholder(secret: string): boolean {
  return PLACEHOLDER_SECRET.test(secret) || new Set(secret).size < 12;
}
const VERSION: string = (() => {
  try {
    return (
      JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
  } catch {
    return '0.0.0';
  }
})();

const ENV_KEYS = [
  ...Object.keys(new EnvSchema()),
  'DYNAMODB_ENDPOINT',
  'JWT_SECRET_KEY',
  'INVENTORY_SERVICE_URL',
  'REDIS_URL',
  'CORS_ORIGINS',
  'DOCS_ENABLED',
  'SHUTDOWN_DRAIN_MS',
  'LOCAL_DATA_DIR',
  'SMTP_URL',
  'APP_BASE_URL',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
];

/** Dollars like "10000" or "12.50" to integer cents without floating point. */
function dollarsToCents(value: string): number {
  const [whole, frac = ''] = value.split('.');
  return Number(whole) * 100 + Number(frac.padEnd(2, '0'));
}

/** Outside production with no secret set: one random secret kept under .data/ so restarts keep sessions. */
function developmentSecret(dataDir: string): string {
  const file = join(dataDir, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

export interface LoadConfigOptions {
  /**
   * false for tools that never sign or verify a token (`db:create-table`): no JWT_SECRET_KEY is
   * demanded in production, and the secret in the returned config is random and unused.
   */
  jwtSecretRequired?: boolean;
}

/** Validates the environment once; throws ConfigError naming the first bad variable. */
export function loadConfig(
  env: Record<string, string | undefined>,
  options: LoadConfigOptions = {},
): AppConfig {
  const raw: Record<string, string> = {};
  for (const key of ENV_KEYS) {
    const v = env[key];
    if (v !== undefined && v !== '') raw[key] = v;
  }

  const parsed = plainToInstance(EnvSchema, raw);
  const errors = validateSync(parsed, { forbidUnknownValues: false });
  if (errors.length > 0) {
    const e = errors[0];
    throw new ConfigError(
      e.property,
      // "not a number" before the range checks that a non-number also fails.
      `has an invalid value (${e.constraints?.isInt ?? Object.values(e.constraints ?? {})[0] ?? 'invalid'})`,
    );
  }

  const isProduction = parsed.NODE_ENV === 'production';
  const localDataDir = resolve(parsed.LOCAL_DATA_DIR ?? join(__dirname, '..', '..', '.data'));
  let secret = parsed.JWT_SECRET_KEY;
  if (options.jwtSecretRequired === false && !secret) {
    secret = randomBytes(48).toString('base64url');
  } else if (isProduction) {
    if (!secret) throw new ConfigError('JWT_SECRET_KEY', 'is required in production');
    if (Buffer.byteLength(secret, 'utf8') < 32)
      throw new ConfigError('JWT_SECRET_KEY', 'must be at least 32 bytes in production');
    if (looksLikePlaceholder(secret))
      throw new ConfigError('JWT_SECRET_KEY', 'looks like a placeholder; use a random value');
    if (parsed.BCRYPT_COST < 10)
      throw new ConfigError('BCRYPT_COST', 'must be at least 10 in production');
    if (!parsed.SMTP_URL) throw new ConfigError('SMTP_URL', 'is required in production');
    if (!parsed.APP_BASE_URL) throw new ConfigError('APP_BASE_URL', 'is required in production');
  } else if (!secret) {
    secret = developmentSecret(localDataDir);
  } else if (Buffer.byteLength(secret, 'utf8') < 16) {
    throw new ConfigError('JWT_SECRET_KEY', 'must be at least 16 bytes');
  }

  const corsOrigins = (parsed.CORS_ORIGINS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const origin of corsOrigins) {
    if (origin !== '*' && !/^https?:\/\/[^\s/]+$/.test(origin))
      throw new ConfigError('CORS_ORIGINS', `contains an invalid origin "${origin}"`);
  }

  const shutdownDrainMs = parsed.SHUTDOWN_DRAIN_MS ?? (isProduction ? 5000 : 0);
  if (parsed.SHUTDOWN_TIMEOUT_MS <= shutdownDrainMs)
    throw new ConfigError('SHUTDOWN_TIMEOUT_MS', 'must be longer than SHUTDOWN_DRAIN_MS');

  const embedded = !parsed.DYNAMODB_ENDPOINT && !isProduction;
  return Object.freeze({
    port: parsed.PORT,
    nodeEnv: parsed.NODE_ENV as AppConfig['nodeEnv'],
    isProduction,
    aws: { region: parsed.AWS_REGION, endpoint: parsed.DYNAMODB_ENDPOINT },
    dynamodb: {
      tableName: parsed.DYNAMODB_TABLE_NAME,
      endpoint: parsed.DYNAMODB_ENDPOINT,
      embedded,
      createTableIfMissing: !isProduction,
    },
    jwt: {
      secret,
      algorithm: parsed.JWT_ALGORITHM as AppConfig['jwt']['algorithm'],
      accessTtlSeconds: parsed.ACCESS_TOKEN_EXPIRE_MINUTES * 60,
      refreshTtlSeconds: parsed.REFRESH_TOKEN_EXPIRE_DAYS * 86400,
      issuer: 'user-service',
      audience: 'order-processor',
    },
    bcryptCost: parsed.BCRYPT_COST,
    limits: {
      dailyDepositCents: dollarsToCents(parsed.DAILY_DEPOSIT_LIMIT),
      dailyWithdrawCents: dollarsToCents(parsed.DAILY_WITHDRAW_LIMIT),
    },
    inventory: {
      url: parsed.INVENTORY_SERVICE_URL?.replace(/\/+$/, ''),
      timeoutMs: parsed.INVENTORY_TIMEOUT_MS,
    },
    redisUrl: parsed.REDIS_URL,
    trustProxy: parsed.TRUST_PROXY,
    corsOrigins,
    logLevel: parsed.LOG_LEVEL,
    rateLimit: {
      enabled: parsed.RATE_LIMIT_ENABLED,
      perMinute: parsed.RATE_LIMIT_PER_MINUTE,
      authPerMinute: parsed.AUTH_RATE_LIMIT_PER_MINUTE,
      moneyPerMinute: parsed.MONEY_RATE_LIMIT_PER_MINUTE,
    },
    login: {
      maxFailures: parsed.LOGIN_MAX_FAILURES,
      lockoutSeconds: parsed.LOGIN_LOCKOUT_MINUTES * 60,
    },
    docsEnabled: parsed.DOCS_ENABLED ?? !isProduction,
    localDataDir,
    shutdownDrainMs,
    shutdownTimeoutMs: parsed.SHUTDOWN_TIMEOUT_MS,
    http: {
      requestTimeoutMs: parsed.REQUEST_TIMEOUT_MS,
      connectionTimeoutMs: parsed.CONNECTION_TIMEOUT_MS,
      keepAliveTimeoutMs: parsed.KEEP_ALIVE_TIMEOUT_MS,
      maxConnections: parsed.HTTP_MAX_CONNECTIONS,
    },
    tracing: {
      enabled: parsed.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined,
      serviceName: parsed.OTEL_SERVICE_NAME,
    },
    version: VERSION,
    mail: {
      smtpUrl: parsed.SMTP_URL,
      from: parsed.MAIL_FROM,
      appBaseUrl: (parsed.APP_BASE_URL ?? `http://localhost:${parsed.PORT}`).replace(/\/+$/, ''),
      pollIntervalMs: parsed.MAIL_POLL_INTERVAL_MS,
      maxAttempts: parsed.MAIL_MAX_ATTEMPTS,
      retryBaseMs: parsed.MAIL_RETRY_BASE_MS,
    },
    emailVerificationRequired: parsed.EMAIL_VERIFICATION_REQUIRED,
  });
}

/**
 * The process environment (with `.env` filling the gaps, see env-file.ts), validated; entry points
 * (main.ts, CLIs) call this, nothing else.
 */
export function loadConfigFromEnvironment(
  overrides: Record<string, string> = {},
  options: LoadConfigOptions = {},
): AppConfig {
  applyEnvFile();
  return loadConfig({ ...process.env, ...overrides }, options);
}
