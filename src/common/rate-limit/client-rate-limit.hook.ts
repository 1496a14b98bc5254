import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { AppConfig } from '../../config';
import { RATE_LIMIT_WINDOW_MS, RATE_LIMITS } from './rate-limit.constants';
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
  const plugin: FastifyPluginAsync = async (instance) => {
    instance.addHook('onRequest', async (request, reply) => {
      const record = await storage.increment(
        `rl:${RATE_LIMITS.default}:${request.ip}`,
        RATE_LIMIT_WINDOW_MS,
        limit,
        RATE_LIMIT_WINDOW_MS,
        RATE_LIMITS.default,
      );
      const retryAfter = setRateLimitHeaders(reply, RATE_LIMITS.default, limit, record);
      const route = request.routeOptions?.url;
      if (record.isBlocked && !(route && NEVER_BLOCKED_ROUTES.has(route)))
        throw rateLimitedError(retryAfter);
    });
  };
  (plugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;
  await fastify.register(plugin);
}
