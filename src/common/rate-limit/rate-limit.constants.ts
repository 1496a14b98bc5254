import type { ThrottlerStorage } from '@nestjs/throttler';

/** Names of the throttlers (ThrottlerModule named limits). */
export const RATE_LIMITS = {
  /** Per client IP, every throttled route (RATE_LIMIT_PER_MINUTE). */
  default: 'default',
  /** Per client IP, `/auth/*` only (AUTH_RATE_LIMIT_PER_MINUTE). */
  auth: 'auth',
  /** Per authenticated user, routes marked `@MoneyRateLimit()` (MONEY_RATE_LIMIT_PER_MINUTE). */
  money: 'money',
} as const;

export const RATE_LIMIT_WINDOW_MS = 60_000;

/** Metadata key set by `@MoneyRateLimit()`. */
export const MONEY_RATE_LIMIT = 'rateLimit:money';

/** What a rate-limit storage answers for one counted request (the throttler's record). */
export type RateLimitRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;
