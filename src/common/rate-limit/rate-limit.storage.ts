import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import type { ThrottlerStorage } from '@nestjs/throttler';
import Redis from 'ioredis';
import { LOGGER, Logger } from '../logging/logger';
import { MemoryRateLimitCounters } from './memory-rate-limit.counters';
import { APP_CONFIG, AppConfig } from '../../config';
import type { RateLimitRecord } from './rate-limit.constants';

const REDIS_READY_TIMEOUT_MS = 3000;
const REDIS_COMMAND_TIMEOUT_MS = 500;
const WARN_INTERVAL_MS = 30_000;

/**
 * Where rate-limit counters live: in memory per process, or in Redis (REDIS_URL) so every replica
 * shares one limit. A storage failure lets the request through (fail open, logged): rate limiting
 * protects capacity, and an unreachable Redis must not take the whole API down with it.
 */
@Injectable()
export class RateLimitStorage implements ThrottlerStorage, OnModuleInit, OnApplicationShutdown {
  private readonly redis?: Redis;
  private readonly backend: ThrottlerStorage;
  private readonly memory?: MemoryRateLimitCounters;
  private readonly lastWarning = new Map<string, number>();

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    if (config.redisUrl) {
      this.redis = new Redis(config.redisUrl, {
        maxRetriesPerRequest: 1,
        commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
        connectTimeout: REDIS_READY_TIMEOUT_MS,
        retryStrategy: (times) => Math.min(times * 200, 2000),
      });
      this.redis.on('error', (err) => this.warn('rate-limit Redis error', err));
      this.backend = new ThrottlerStorageRedisService(this.redis);
    } else {
      this.memory = new MemoryRateLimitCounters();
      this.backend = this.memory;
    }
  }

  get kind(): 'redis' | 'memory' {
    return this.redis ? 'redis' : 'memory';
  }

  async onModuleInit(): Promise<void> {
    const redis = this.redis;
    if (!redis || redis.status === 'ready') return;
    const ready = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), REDIS_READY_TIMEOUT_MS);
      redis.once('ready', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (!ready)
      this.logger.warn('rate-limit Redis not reachable yet; limits fail open until it is');
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<RateLimitRecord> {
    try {
      return await this.backend.increment(key, ttl, limit, blockDuration, throttlerName);
    } catch (err) {
      this.warn('rate-limit storage failed; request allowed', err);
      return {
        totalHits: 0,
        timeToExpire: Math.ceil(ttl / 1000),
        isBlocked: false,
        timeToBlockExpire: 0,
      };
    }
  }

  /** The record at once when the counters are in memory; undefined with Redis (use `increment`). */
  incrementNow(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): RateLimitRecord | undefined {
    return this.memory?.incrementNow(key, ttl, limit, blockDuration, throttlerName);
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.redis) return;
    if (this.redis.status === 'ready') await this.redis.quit().catch(() => undefined);
    this.redis.disconnect();
  }

  private warn(message: string, err: unknown): void {
    const now = Date.now();
    if (now - (this.lastWarning.get(message) ?? 0) < WARN_INTERVAL_MS) return;
    this.lastWarning.set(message, now);
    this.logger.warn({ err: err instanceof Error ? err.message : String(err) }, message);
  }
}
