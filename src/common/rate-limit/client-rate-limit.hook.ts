import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { AppConfig } from '../../config';
import { RATE_LIMIT_WINDOW_MS, RATE_LIMITS, type RateLimitRecord } from './rate-limit.constants';
import { rateLimitedError, setRateLimitHeaders } from './rate-limit.headers';
import type { RateLimitStorage } from './rate-limit.storage';

/** Probes and scrapes: counted and given headers, never refused (Kubernetes must reach them). */
export const NEVER_BLOCKED_ROUTES: ReadonlySet<string> = new Set([
  '/health',
  '/health/live',
  '/health/ready',
  '/health/detailed',
  '/metrics',
  '/internal/metrics',
]);

/**
 * The general per-client-IP limit (RATE_LIMIT_PER_MINUTE) as a Fastify `onRequest` hook, so it
 * applies to every response — Nest routes, the docs routes, 404s — before the body is read. The
 * stricter `auth` and per-user `money` limits stay in the Nest guards (they need route metadata and
 * the authenticated user). Registered as an unencapsulated plugin after helmet and CORS, so a 429
 * carries their headers too.
 */
export async function installClientRateLimit(
  fastify: FastifyInstance,
  storage: RateLimitStorage,
  config: AppConfig,
): Promise<void> {
  if (!config.rateLimit.enabled) return;
  const limit = config.rateLimit.perMinute;
  /** The count's verdict on this request: headers set, and the 429 to answer when blocked. */
  const verdict = (request: FastifyRequest, reply: FastifyReply, record: RateLimitRecord) => {
    const retryAfter = setRateLimitHeaders(reply, RATE_LIMITS.default, limit, record);
    const route = request.routeOptions?.url;
    return record.isBlocked && !(route && NEVER_BLOCKED_ROUTES.has(route))
      ? rateLimitedError(retryAfter)
      : undefined;
  };
  const plugin: FastifyPluginAsync = async (instance) => {
    // A callback hook: with the counters in memory, no promise per request.
    instance.addHook('onRequest', (request, reply, done) => {
      const key = `rl:${RATE_LIMITS.default}:${request.ip}`;
      const args = [
        key,
        RATE_LIMIT_WINDOW_MS,
        limit,
        RATE_LIMIT_WINDOW_MS,
        RATE_LIMITS.default,
      ] as const;
      const now = storage.incrementNow(...args);
      if (now) return done(verdict(request, reply, now));
      storage.increment(...args).then(
        (record) => done(verdict(request, reply, record)),
        (err: unknown) => done(err as Error),
      );
    });
  };
  (plugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;
  await fastify.register(plugin);
}
