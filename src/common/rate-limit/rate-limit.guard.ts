import { ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  type ThrottlerModuleOptions,
  type ThrottlerRequest,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import type { FastifyReply } from 'fastify';
import { APP_CONFIG, AppConfig } from '../../config';
import { MONEY_RATE_LIMIT, RATE_LIMITS } from './rate-limit.constants';
import { rateLimitedError, setRateLimitHeaders } from './rate-limit.headers';

/**
 * @nestjs/throttler's guard with this service's conventions: counters are per tracker across routes
 * (not per handler), a blocked request is a problem+json 429 `rate_limited` whose `Retry-After` is the
 * real time left, `X-RateLimit-Limit/-Remaining/-Reset` (suffixed `-auth`, `-money` for the named
 * limits) on every throttled response, and RATE_LIMIT_ENABLED=false turns everything off.
 */
abstract class ServiceThrottlerGuard extends ThrottlerGuard {
  /** Which named throttlers this guard applies (the others run in another guard). */
  protected abstract readonly handles: readonly string[];

  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super(options, storage, reflector);
  }

  override async onModuleInit(): Promise<void> {
    await super.onModuleInit();
    this.throttlers = this.throttlers.filter((t) => this.handles.includes(t.name ?? 'default'));
  }

  /** Whether this guard's limit applies to the route at all (else it costs nothing). */
  protected abstract applies(context: ExecutionContext): boolean;

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return !this.config.rateLimit.enabled || context.getType() !== 'http' || !this.applies(context);
  }

  protected override generateKey(
    _context: ExecutionContext,
    tracker: string,
    name: string,
  ): string {
    return `rl:${name}:${tracker}`;
  }

  protected override async handleRequest(props: ThrottlerRequest): Promise<boolean> {
    const { context, limit, ttl, throttler, blockDuration, getTracker, generateKey } = props;
    const name = throttler.name ?? RATE_LIMITS.default;
    const { req, res } = this.getRequestResponse(context) as {
      req: Record<string, unknown>;
      res: FastifyReply;
    };
    const tracker = await getTracker(req, context);
    const record = await this.storageService.increment(
      generateKey(context, tracker, name),
      ttl,
      limit,
      blockDuration,
      name,
    );
    const retryAfter = setRateLimitHeaders(res, name, limit, record);
    if (record.isBlocked) throw rateLimitedError(retryAfter);
    return true;
  }
}

/**
 * Per-client-IP `auth` limit on `/auth/*`; runs before authentication. (The general per-IP limit is
 * a Fastify hook, client-rate-limit.hook.ts, so that it also covers 404s and the docs routes.)
 */
@Injectable()
export class ClientRateLimitGuard extends ServiceThrottlerGuard {
  protected readonly handles = [RATE_LIMITS.auth];
  protected applies = isAuthRoute;
}

/** Per-user limit on `@MoneyRateLimit()` routes; runs after authentication, so it knows the user. */
@Injectable()
export class UserRateLimitGuard extends ServiceThrottlerGuard {
  protected readonly handles = [RATE_LIMITS.money];
  protected applies = isMoneyRoute;
}

/** `/auth/*`: the `auth` limit per client IP. */
export function isAuthRoute(context: ExecutionContext): boolean {
  const request = context.switchToHttp().getRequest<{ routeOptions?: { url?: string } }>();
  return (request.routeOptions?.url ?? '').startsWith('/auth/');
}

/** `@MoneyRateLimit()` routes: the `money` limit per user. */
export function isMoneyRoute(context: ExecutionContext): boolean {
  return Boolean(
    Reflect.getMetadata(MONEY_RATE_LIMIT, context.getHandler()) ??
    Reflect.getMetadata(MONEY_RATE_LIMIT, context.getClass()),
  );
}
