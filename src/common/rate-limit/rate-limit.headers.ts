import { RateLimitedError } from '../errors';
import { RATE_LIMITS, type RateLimitRecord } from './rate-limit.constants';

interface HeaderTarget {
  header(name: string, value: string): unknown;
}

/**
 * Puts `X-RateLimit-Limit/-Remaining/-Reset` (suffixed `-auth`, `-money` for the named limits) on a
 * reply and returns the seconds until the client may try again. While a client is blocked, Reset and
 * `Retry-After` are the same number: the end of the block, not the end of the counting window.
 */
export function setRateLimitHeaders(
  reply: HeaderTarget,
  name: string,
  limit: number,
  record: RateLimitRecord,
): number {
  const suffix = name === RATE_LIMITS.default ? '' : `-${name}`;
  const reset = record.isBlocked
    ? Math.max(1, record.timeToBlockExpire)
    : Math.max(0, record.timeToExpire);
  reply.header(`X-RateLimit-Limit${suffix}`, String(limit));
  reply.header(`X-RateLimit-Remaining${suffix}`, String(Math.max(0, limit - record.totalHits)));
  reply.header(`X-RateLimit-Reset${suffix}`, String(reset));
  return reset;
}

export function rateLimitedError(retryAfter: number): RateLimitedError {
  return new RateLimitedError(
    retryAfter,
    'rate_limited',
    `Too many requests; retry in ${retryAfter} s.`,
  );
}
