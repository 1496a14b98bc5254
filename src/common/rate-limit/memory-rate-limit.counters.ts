import type { ThrottlerStorage } from '@nestjs/throttler';
import type { NowMs } from '../clock';
import type { RateLimitRecord } from './rate-limit.constants';

interface Window {
  hits: number;
  /** When the counting window ends (ms since the epoch). */
  resetsAt: number;
  /** When the block ends; 0 while not blocked. */
  blockedUntil: number;
}

/** Expired windows are swept this often, or every second while the map holds more than the cap. */
const SWEEP_INTERVAL_MS = 60_000;
const CROWDED_SWEEP_INTERVAL_MS = 1_000;
const SWEEP_AT_SIZE = 100_000;

/**
 * In-memory rate-limit counters with the semantics of the Redis backend's script
 * (`@nest-lab/throttler-storage-redis`): a fixed window per key that starts with its first hit, a
 * block of `blockDuration` once the hits exceed the limit, and a fresh window (1 hit) on the first
 * request after the block ends. One map entry and O(1) work per request.
 *
 * It replaces `@nestjs/throttler`'s `ThrottlerStorageService`, which keeps one timestamp per hit and
 * filters the whole list on every request: with the limit set high, or every client behind one
 * proxy address, that list grows to the limit and the filter became the service's largest CPU cost.
 */
export class MemoryRateLimitCounters implements ThrottlerStorage {
  private readonly windows = new Map<string, Window>();
  private lastSweepAt: number;

  constructor(private readonly nowMs: NowMs = Date.now) {
    this.lastSweepAt = nowMs();
  }

  /** Keys currently held (for tests and the sweep). */
  get size(): number {
    return this.windows.size;
  }

  increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<RateLimitRecord> {
    return Promise.resolve(this.incrementNow(key, ttl, limit, blockDuration, throttlerName));
  }

  /** `increment` without the promise, for the per-request hook. */
  incrementNow(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): RateLimitRecord {
    return this.hit(`${key}:${throttlerName}`, ttl, limit, blockDuration);
  }

  private hit(key: string, ttl: number, limit: number, blockDuration: number): RateLimitRecord {
    const now = this.nowMs();
    this.sweepIfDue(now);
    let window = this.windows.get(key);
    if (!window || (window.resetsAt <= now && window.blockedUntil === 0)) {
      window = { hits: 0, resetsAt: now + ttl, blockedUntil: 0 };
      this.windows.set(key, window);
    }
    window.hits += 1;
    if (window.resetsAt <= now) window.resetsAt = now + ttl;
    if (window.blockedUntil === 0 && window.hits > limit) window.blockedUntil = now + blockDuration;
    if (window.blockedUntil !== 0 && window.blockedUntil <= now) {
      // The block is over: this request opens a fresh window.
      window.hits = 1;
      window.resetsAt = now + ttl;
      window.blockedUntil = 0;
    }
    const blocked = window.blockedUntil !== 0;
    return {
      totalHits: window.hits,
      timeToExpire: Math.ceil((window.resetsAt - now) / 1000),
      isBlocked: blocked,
      timeToBlockExpire: blocked ? Math.ceil((window.blockedUntil - now) / 1000) : 0,
    };
  }

  private sweepIfDue(now: number): void {
    const interval =
      this.windows.size >= SWEEP_AT_SIZE ? CROWDED_SWEEP_INTERVAL_MS : SWEEP_INTERVAL_MS;
    if (now - this.lastSweepAt < interval) return;
    this.lastSweepAt = now;
    for (const [key, window] of this.windows) {
      if (window.resetsAt <= now && window.blockedUntil <= now) this.windows.delete(key);
    }
  }
}
