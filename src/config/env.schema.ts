import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';

const toBool = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  return value;
};
const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;
const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** Every environment variable the service reads (SPEC §2). Raw strings in, typed values out. */
export class EnvSchema {
  @Transform(toInt)
  @IsInt({ message: 'PORT is not a number: "$value"; use 1-65535, or 0 for any free port' })
  @Min(0)
  @Max(65535)
  PORT = 8001;
  @Transform(trim) @IsIn(['development', 'production', 'test']) NODE_ENV = 'development';
  @Transform(trim) @Matches(/^[a-z]{2}(-[a-z]+)+-\d$/) AWS_REGION = 'us-west-2';
  @Transform(trim) @Matches(/^[A-Za-z0-9_.-]{3,255}$/) DYNAMODB_TABLE_NAME =
    'order-processor-table';
  @IsOptional()
  @Transform(trim)
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  DYNAMODB_ENDPOINT?: string;
  @IsOptional() @IsString() JWT_SECRET_KEY?: string;
  @Transform(trim) @IsIn(['HS256', 'HS384', 'HS512']) JWT_ALGORITHM = 'HS256';
  @Transform(toInt) @IsInt() @Min(1) @Max(1440) ACCESS_TOKEN_EXPIRE_MINUTES = 30;
  @Transform(toInt) @IsInt() @Min(1) @Max(365) REFRESH_TOKEN_EXPIRE_DAYS = 7;
  @Transform(toInt) @IsInt() @Min(4) @Max(15) BCRYPT_COST = 12;
  @Transform(trim) @Matches(/^\d{1,9}(\.\d{1,2})?$/) DAILY_DEPOSIT_LIMIT = '10000';
  @Transform(trim) @Matches(/^\d{1,9}(\.\d{1,2})?$/) DAILY_WITHDRAW_LIMIT = '5000';
  @IsOptional()
  @Transform(trim)
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  INVENTORY_SERVICE_URL?: string;
  @Transform(toInt) @IsInt() @Min(50) @Max(60000) INVENTORY_TIMEOUT_MS = 1500;
  @IsOptional() @Transform(trim) @Matches(/^rediss?:\/\/\S+$/) REDIS_URL?: string;
  @Transform(toInt) @IsInt() @Min(0) @Max(10) TRUST_PROXY = 0;
  @IsOptional() @IsString() @MaxLength(4096) CORS_ORIGINS?: string;
  @Transform(trim) @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) LOG_LEVEL =
    'info';
  @Transform(toBool) @IsBoolean() RATE_LIMIT_ENABLED = true;
  @Transform(toInt) @IsInt() @Min(1) RATE_LIMIT_PER_MINUTE = 600;
  @Transform(toInt) @IsInt() @Min(1) AUTH_RATE_LIMIT_PER_MINUTE = 20;
  @Transform(toInt) @IsInt() @Min(1) MONEY_RATE_LIMIT_PER_MINUTE = 120;
  @Transform(toInt) @IsInt() @Min(1) @Max(100) LOGIN_MAX_FAILURES = 5;
  @Transform(toInt) @IsInt() @Min(1) @Max(1440) LOGIN_LOCKOUT_MINUTES = 15;
  @IsOptional() @Transform(toBool) @IsBoolean() DOCS_ENABLED?: boolean;
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(120000) SHUTDOWN_DRAIN_MS?: number;
  @Transform(toInt) @IsInt() @Min(1000) @Max(600000) SHUTDOWN_TIMEOUT_MS = 25000;
  @Transform(toInt) @IsInt() @Min(1000) @Max(600000) REQUEST_TIMEOUT_MS = 30000;
  @Transform(toInt) @IsInt() @Min(1000) @Max(600000) CONNECTION_TIMEOUT_MS = 120000;
  @Transform(toInt) @IsInt() @Min(1000) @Max(600000) KEEP_ALIVE_TIMEOUT_MS = 72000;
  @Transform(toInt) @IsInt() @Min(1) @Max(1000000) HTTP_MAX_CONNECTIONS = 10000;
  @IsOptional() @IsString() @MaxLength(1024) LOCAL_DATA_DIR?: string;
  // Accounts: e-mail delivery (outbox + dispatcher), verification and password reset.
  @IsOptional() @Transform(trim) @Matches(/^smtps?:\/\/\S+$/) SMTP_URL?: string;
  @Transform(trim) @Matches(/^([^<>\r\n]{0,100}<)?[^\s@<>]+@[^\s@<>]+>?$/) MAIL_FROM =
    'User Service <no-reply@localhost>';
  @IsOptional()
  @Transform(trim)
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  APP_BASE_URL?: string;
  @Transform(toBool) @IsBoolean() EMAIL_VERIFICATION_REQUIRED = false;
  @Transform(toInt) @IsInt() @Min(10) @Max(600000) MAIL_POLL_INTERVAL_MS = 5000;
  @Transform(toInt) @IsInt() @Min(1) @Max(50) MAIL_MAX_ATTEMPTS = 8;
  @Transform(toInt) @IsInt() @Min(10) @Max(3600000) MAIL_RETRY_BASE_MS = 30000;
  @IsOptional()
  @Transform(trim)
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
  @Transform(trim) @Matches(/^[\w.-]{1,128}$/) OTEL_SERVICE_NAME = 'user-service';
}
