import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import type { AuthenticatedRequest } from '../auth/principal';
import { APP_CONFIG, AppConfig } from '../../config';
import { RATE_LIMIT_WINDOW_MS, RATE_LIMITS } from './rate-limit.constants';
import { isAuthRoute, isMoneyRoute } from './rate-limit.guard';
import { RateLimitStorage } from './rate-limit.storage';

@Module({ providers: [RateLimitStorage], exports: [RateLimitStorage] })
class RateLimitStorageModule {}

function userTracker(request: FastifyRequest & AuthenticatedRequest): string {
  return request.user ? `user:${request.user.userId}` : `ip:${request.ip}`;
}

/**
 * The named limits (SPEC §4 "Rate limits"). Guards are registered globally in AppModule:
 * `ClientRateLimitGuard` before authentication and `UserRateLimitGuard` after it; the general
 * per-IP limit is a Fastify hook (`installClientRateLimit`) sharing the same storage.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      imports: [RateLimitStorageModule],
      inject: [APP_CONFIG, RateLimitStorage],
      useFactory: (config: AppConfig, storage: RateLimitStorage) => ({
        storage,
        throttlers: [
          {
            name: RATE_LIMITS.auth,
            ttl: RATE_LIMIT_WINDOW_MS,
            limit: config.rateLimit.authPerMinute,
            skipIf: (context) => !isAuthRoute(context),
          },
          {
            name: RATE_LIMITS.money,
            ttl: RATE_LIMIT_WINDOW_MS,
            limit: config.rateLimit.moneyPerMinute,
            skipIf: (context) => !isMoneyRoute(context),
            getTracker: (request) => userTracker(request as FastifyRequest & AuthenticatedRequest),
          },
        ],
      }),
    }),
  ],
})
export class RateLimitModule {}
