import {
  CanActivate,
  Controller,
  ExecutionContext,
  Get,
  Global,
  Module,
  Post,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import type { FastifyRequest } from 'fastify';
import { unitConfig } from '../../auth/testing/unit-kit';
import { ConfigModule } from '../../config';
import type { AuthenticatedRequest } from '../auth/principal';
import { ProblemDetailsFilter } from '../filters/problem-details.filter';
import { createLogger, LOGGER } from '../logging/logger';
import { MoneyRateLimit } from './money-rate-limit.decorator';
import { installClientRateLimit } from './client-rate-limit.hook';
import { RateLimitModule } from './rate-limit.module';
import { RateLimitStorage } from './rate-limit.storage';
import { ClientRateLimitGuard, UserRateLimitGuard } from './rate-limit.guard';

@Controller()
class ProbeController {
  @Get('plain') plain() {
    return { ok: true };
  }
  @Post('auth/thing') auth() {
    return { ok: true };
  }
  @MoneyRateLimit()
  @Post('money')
  money() {
    return { ok: true };
  }
  @Get('health')
  health() {
    return { ok: true };
  }
}

/** Stands in for the JWT guard: the caller is named by a header. */
class HeaderAuthGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<FastifyRequest & AuthenticatedRequest>();
    const user = req.headers['x-user'];
    if (typeof user === 'string')
      req.user = { userId: user, username: user, role: 'customer', sessionId: 's' };
    return true;
  }
}

const logger = createLogger('silent');

@Global()
@Module({ providers: [{ provide: LOGGER, useValue: logger }], exports: [LOGGER] })
class SilentLoggerModule {}

async function probeApp(env: Record<string, string>): Promise<NestFastifyApplication> {
  const config = unitConfig({
    RATE_LIMIT_PER_MINUTE: '5',
    AUTH_RATE_LIMIT_PER_MINUTE: '2',
    MONEY_RATE_LIMIT_PER_MINUTE: '3',
    ...env,
  });
  const module = await Test.createTestingModule({
    imports: [ConfigModule.forRoot(config), SilentLoggerModule, RateLimitModule],
    controllers: [ProbeController],
    providers: [
      { provide: APP_GUARD, useClass: ClientRateLimitGuard },
      { provide: APP_GUARD, useClass: HeaderAuthGuard },
      { provide: APP_GUARD, useClass: UserRateLimitGuard },
    ],
  }).compile();
  const app = module.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
  await installClientRateLimit(
    app.getHttpAdapter().getInstance(),
    app.get(RateLimitStorage),
    config,
  );
  app.useGlobalFilters(new ProblemDetailsFilter(logger));
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

type Inject = { method: 'GET' | 'POST'; url: string; ip?: string; user?: string };

function call(app: NestFastifyApplication, { method, url, ip = '198.51.100.1', user }: Inject) {
  return app
    .getHttpAdapter()
    .getInstance()
    .inject({ method, url, remoteAddress: ip, headers: user ? { 'x-user': user } : {} });
}

describe('rate limiting (ThrottlerModule named limits)', () => {
  let app: NestFastifyApplication;
  afterEach(async () => app?.close());

  it('limits each client IP across routes and answers 429 problem+json with Retry-After', async () => {
    app = await probeApp({});
    for (let i = 1; i <= 5; i++) {
      const res = await call(app, { method: 'GET', url: '/plain' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-ratelimit-limit']).toBe('5');
      expect(res.headers['x-ratelimit-remaining']).toBe(String(5 - i));
      expect(Number(res.headers['x-ratelimit-reset'])).toBeGreaterThan(0);
    }
    const blocked = await call(app, { method: 'POST', url: '/money', user: 'u1' });
    expect(blocked.statusCode).toBe(429);
    expect(blocked.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(blocked.body)).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(blocked.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(blocked.headers['retry-after']).toBe(blocked.headers['x-ratelimit-reset']);
    // Another client is unaffected; unknown routes count; probes are never refused but carry headers.
    expect((await call(app, { method: 'GET', url: '/plain', ip: '198.51.100.2' })).statusCode).toBe(
      200,
    );
    expect((await call(app, { method: 'GET', url: '/nope' })).statusCode).toBe(429);
    const probe = await call(app, { method: 'GET', url: '/health' });
    expect(probe.statusCode).toBe(200);
    expect(probe.headers['x-ratelimit-remaining']).toBe('0');
  });

  it('applies the stricter auth limit to /auth/* only', async () => {
    app = await probeApp({});
    for (let i = 0; i < 2; i++) {
      const res = await call(app, { method: 'POST', url: '/auth/thing' });
      expect(res.statusCode).toBe(201);
      expect(res.headers['x-ratelimit-limit-auth']).toBe('2');
    }
    const blocked = await call(app, { method: 'POST', url: '/auth/thing' });
    expect(blocked.statusCode).toBe(429);
    expect(JSON.parse(blocked.body).code).toBe('rate_limited');
    const plain = await call(app, { method: 'GET', url: '/plain' });
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['x-ratelimit-limit-auth']).toBeUndefined();
  });

  it('limits @MoneyRateLimit() routes per user, whatever the IP', async () => {
    app = await probeApp({ RATE_LIMIT_PER_MINUTE: '100' });
    for (let i = 0; i < 3; i++) {
      const res = await call(app, {
        method: 'POST',
        url: '/money',
        user: 'alice',
        ip: `198.51.100.${10 + i}`,
      });
      expect(res.statusCode).toBe(201);
      expect(res.headers['x-ratelimit-limit-money']).toBe('3');
    }
    const blocked = await call(app, {
      method: 'POST',
      url: '/money',
      user: 'alice',
      ip: '198.51.100.99',
    });
    expect(blocked.statusCode).toBe(429);
    expect((await call(app, { method: 'POST', url: '/money', user: 'bob' })).statusCode).toBe(201);
    const plain = await call(app, { method: 'GET', url: '/plain', user: 'alice' });
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['x-ratelimit-limit-money']).toBeUndefined();
  });

  it('does nothing when RATE_LIMIT_ENABLED=false', async () => {
    app = await probeApp({ RATE_LIMIT_ENABLED: 'false' });
    for (let i = 0; i < 8; i++) {
      const res = await call(app, { method: 'POST', url: '/auth/thing' });
      expect(res.statusCode).toBe(201);
      expect(res.headers['x-ratelimit-limit']).toBeUndefined();
    }
  });
});
