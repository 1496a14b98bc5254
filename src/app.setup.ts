import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { AppModule } from './app.module';
import { Clock, systemClock } from './common/clock';
import { ServiceUnavailableError } from './common/errors';
import { installClientRateLimit, RateLimitStorage } from './common/rate-limit';
import { ProblemDetailsFilter } from './common/filters/problem-details.filter';
import { rejectEncodedBodies } from './common/http/content-encoding';
import { clientErrorHandler, frameworkErrorHandler } from './common/http/framework-errors';
import { installJsonBodyParser } from './common/http/json-body-parser';
import { requestIdFrom } from './common/http/request-id';
import { installSecurityHeaders } from './common/http/security-headers';
import { createValidationPipe } from './common/http/validation.pipe';
import { createLogger, Logger, unredactedChild } from './common/logging/logger';
import { NestPinoLogger } from './common/logging/nest-logger';
import type { AppConfig } from './config';
import { registerDocsRoutes } from './docs/docs.routes';
import { buildOpenApiDocument } from './docs/openapi';
import { InFlightRequests } from './health/in-flight-requests';
import { answerLivenessEarly } from './health/liveness';
import { ShutdownState } from './health/shutdown-state';
import { HttpMetrics } from './metrics/http-metrics';

export const BODY_LIMIT_BYTES = 100 * 1024;

export interface CreateAppOptions {
  logger?: Logger;
  /** The calendar the daily limits follow (default: the system clock); tests pass their own. */
  clock?: Clock;
}

const CONTENT_SECURITY_POLICY = {
  directives: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'", 'blob:'],
    workerSrc: ["'self'", 'blob:'],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", 'data:', 'blob:'],
    fontSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    frameAncestors: ["'none'"],
    // Helmet's default would make browsers fetch every script over https: blank docs pages on
    // plain-HTTP addresses. TLS is the gateway's job; in production HSTS keeps browsers on https.
    upgradeInsecureRequests: null,
  },
};

/**
 * Slow or stalled clients cannot hold a connection: the whole request must arrive within
 * REQUEST_TIMEOUT_MS (checked at least every quarter of it, not Node's default 30 s), an idle socket is
 * closed after CONNECTION_TIMEOUT_MS, an idle keep-alive connection after KEEP_ALIVE_TIMEOUT_MS.
 */
function serverTimeouts(config: AppConfig) {
  const { requestTimeoutMs, connectionTimeoutMs, keepAliveTimeoutMs } = config.http;
  return {
    requestTimeout: requestTimeoutMs,
    connectionTimeout: connectionTimeoutMs,
    keepAliveTimeout: keepAliveTimeoutMs,
    http: {
      requestTimeout: requestTimeoutMs,
      headersTimeout: Math.min(requestTimeoutMs, 60_000),
      connectionsCheckingInterval: Math.min(30_000, Math.max(250, requestTimeoutMs / 4)),
    },
  };
}

/**
 * Fastify-level wiring: the JSON body parser (depth limit, exact numbers), the refusal of encoded
 * bodies, request ids, access log and metrics. Errors raised here (bad JSON, body too large,
 * unsupported media type or encoding) reach the global filter through Nest's registered error handler.
 */
function installHttpHooks(fastify: FastifyInstance, logger: Logger, metrics: HttpMetrics): void {
  fastify.removeContentTypeParser(['text/plain']);
  installJsonBodyParser(fastify, BODY_LIMIT_BYTES);
  rejectEncodedBodies(fastify);
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('X-Request-ID', request.id);
    done();
  });
  // Fields chosen here, none a secret: no redaction walk per request.
  const accessLog = unredactedChild(logger);
  fastify.addHook('onResponse', (request, reply, done) => {
    const seconds = reply.elapsedTime / 1000;
    const route = request.routeOptions?.url;
    metrics.record(request.method, route, reply.statusCode, seconds);
    accessLog.info(
      {
        request_id: request.id,
        method: request.method,
        route: route ?? null,
        status: reply.statusCode,
        duration_ms: Math.round(reply.elapsedTime * 10) / 10,
        ip: request.ip,
      },
      'request completed',
    );
    done();
  });
}

/**
 * After the drain, while Nest closes the server, a request arriving on a connection that is still
 * open is refused with 503 problem+json (Retry-After, Connection: close) before any handler runs.
 */
function refuseWhileClosing(fastify: FastifyInstance, shutdown: ShutdownState): void {
  fastify.addHook('onRequest', (_request, reply, done) => {
    if (!shutdown.isClosing) return done();
    reply.header('Connection', 'close');
    done(
      new ServiceUnavailableError('The service is shutting down; retry on another instance.', 1),
    );
  });
}

/**
 * Builds the whole application exactly as production runs it (main.ts and the e2e tests share this),
 * initialised but not listening. Signals are main.ts's business (shutdown-signals.ts).
 */
export async function createApp(
  config: AppConfig,
  options: CreateAppOptions = {},
): Promise<NestFastifyApplication> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const adapter = new FastifyAdapter({
    logger: false,
    genReqId: requestIdFrom,
    requestIdHeader: false,
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: config.trustProxy > 0 ? config.trustProxy : false,
    // While the server closes, new requests on kept-alive connections get our problem+json 503
    // (refuseWhileClosing) instead of Fastify's fixed JSON.
    return503OnClosing: false,
    frameworkErrors: frameworkErrorHandler(logger),
    clientErrorHandler: clientErrorHandler(logger),
    ...serverTimeouts(config),
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, logger, options.clock ?? systemClock),
    adapter,
    { logger: new NestPinoLogger(logger), abortOnError: false, bodyParser: false },
  );
  const fastify = app.getHttpAdapter().getInstance();
  installHttpHooks(fastify, logger, app.get(HttpMetrics));
  refuseWhileClosing(fastify, app.get(ShutdownState));
  app.get(InFlightRequests).track(fastify);
  installSecurityHeaders(fastify, {
    contentSecurityPolicy: CONTENT_SECURITY_POLICY,
    strictTransportSecurity: config.isProduction,
  });
  if (config.corsOrigins.length > 0) {
    app.enableCors({
      origin: config.corsOrigins.includes('*') ? true : [...config.corsOrigins],
      credentials: !config.corsOrigins.includes('*'),
      exposedHeaders: ['X-Request-ID', 'Retry-After', 'Idempotent-Replayed'],
    });
  }
  await installClientRateLimit(fastify, app.get(RateLimitStorage), config);
  // Last onRequest hook: every hook above has run when it answers a liveness probe.
  answerLivenessEarly(fastify, config.version);
  app.useGlobalFilters(new ProblemDetailsFilter(logger));
  app.useGlobalPipes(createValidationPipe());
  if (config.docsEnabled) registerDocsRoutes(fastify, buildOpenApiDocument(app, config));
  await app.init();
  await fastify.ready();
  fastify.server.maxConnections = config.http.maxConnections;
  return app;
}
