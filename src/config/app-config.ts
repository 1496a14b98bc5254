/** Typed, validated configuration. Built once by `loadConfig`; nothing else reads the environment. */
export interface AppConfig {
  readonly port: number;
  readonly nodeEnv: 'development' | 'production' | 'test';
  readonly isProduction: boolean;
  readonly aws: { readonly region: string; readonly endpoint?: string };
  readonly dynamodb: {
    readonly tableName: string;
    readonly endpoint?: string;
    /** Start an embedded DynamoDB Local (no endpoint given, not production). */
    readonly embedded: boolean;
    /** Create the table at start-up when it is missing (never in production). */
    readonly createTableIfMissing: boolean;
  };
  readonly jwt: {
    readonly secret: string;
    readonly algorithm: 'HS256' | 'HS384' | 'HS512';
    readonly accessTtlSeconds: number;
    readonly refreshTtlSeconds: number;
    readonly issuer: string;
    readonly audience: string;
  };
  readonly bcryptCost: number;
  readonly limits: { readonly dailyDepositCents: number; readonly dailyWithdrawCents: number };
  readonly inventory: { readonly url?: string; readonly timeoutMs: number };
  readonly redisUrl?: string;
  readonly trustProxy: number;
  readonly corsOrigins: readonly string[];
  readonly logLevel: string;
  readonly rateLimit: {
    readonly enabled: boolean;
    readonly perMinute: number;
    readonly authPerMinute: number;
    readonly moneyPerMinute: number;
  };
  readonly login: { readonly maxFailures: number; readonly lockoutSeconds: number };
  readonly docsEnabled: boolean;
  /** How long readiness reports 503 before the server stops accepting connections. */
  readonly shutdownDrainMs: number;
  /** From SIGTERM: after this long remaining connections are closed and the process exits. */
  readonly shutdownTimeoutMs: number;
  readonly http: {
    /** Whole request (headers and body) must arrive within this; else 408 and the connection closes. */
    readonly requestTimeoutMs: number;
    /** A socket with no traffic for this long is closed. */
    readonly connectionTimeoutMs: number;
    /** Idle keep-alive connections are closed after this. */
    readonly keepAliveTimeoutMs: number;
    /** Connections beyond this are refused (server.maxConnections). */
    readonly maxConnections: number;
  };
  /** Development-only state: embedded DynamoDB data and the generated JWT secret. */
  readonly localDataDir: string;
  /** OpenTelemetry tracing: on when OTEL_EXPORTER_OTLP_ENDPOINT is set (the SDK reads the other OTEL_* itself). */
  readonly tracing: { readonly enabled: boolean; readonly serviceName: string };
  readonly version: string;
  readonly mail: {
    /** SMTP server (`smtps://` = TLS from the start); unset outside production: .eml files. */
    readonly smtpUrl?: string;
    readonly from: string;
    /** Where links in mails point (the front end, or this service's own pages outside production). */
    readonly appBaseUrl: string;
    readonly pollIntervalMs: number;
    readonly maxAttempts: number;
    readonly retryBaseMs: number;
  };
  /** Money movements and holds of a user whose e-mail is unverified → 403 email_not_verified. */
  readonly emailVerificationRequired: boolean;
}

/** Injection token for the configuration object. */
export const APP_CONFIG = Symbol('APP_CONFIG');
