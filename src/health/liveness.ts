import type { FastifyInstance } from 'fastify';
import { isoNow } from '../common/clock/iso-now';
import type { LivenessDto } from './health.dto';

/** The liveness routes: public, no input, no dependency calls. */
export const LIVENESS_PATHS: ReadonlySet<string> = new Set(['/health', '/health/live']);

export function livenessOf(version: string, nowMs = Date.now()): LivenessDto {
  return { status: 'healthy', service: 'user-service', version, timestamp: isoNow(nowMs) };
}

/**
 * Answers `GET /health` and `GET /health/live` from the last `onRequest` hook, so a probe costs the
 * hooks every request pays (request id, security headers, the per-IP count, the drain's 503, then
 * the access-log line and metrics) but not Nest's guards and handler pipeline. HealthController
 * keeps the same routes for the OpenAPI document and gives the same body.
 */
export function answerLivenessEarly(fastify: FastifyInstance, version: string): void {
  // The body changes only with its timestamp: serialized once per millisecond.
  let bodyMs = Number.NaN;
  let body = '';
  const bodyNow = () => {
    const ms = Date.now();
    if (ms !== bodyMs) {
      body = JSON.stringify(livenessOf(version, ms));
      bodyMs = ms;
    }
    return body;
  };
  fastify.addHook('onRequest', (request, reply, done) => {
    const route = request.routeOptions?.url;
    if (request.method !== 'GET' || route === undefined || !LIVENESS_PATHS.has(route)) {
      return done();
    }
    void reply
      .header('Cache-Control', 'no-store')
      .type('application/json; charset=utf-8')
      .send(bodyNow());
  });
}
