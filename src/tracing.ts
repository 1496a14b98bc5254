import { FastifyOtelInstrumentation } from '@fastify/otel';
import { context, trace } from '@opentelemetry/api';
import { AwsInstrumentation } from '@opentelemetry/instrumentation-aws-sdk';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import type { AppConfig } from './config';

/** Paths that are polled, not used: no spans for them. */
const UNTRACED_PATHS = /^\/(health|metrics)(\/|\?|$)/;

export interface Tracing {
  /** pino mixin: the active span's trace id on every log line written inside a traced request. */
  logMixin(): Record<string, string>;
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry SDK: HTTP server/client, Fastify and AWS SDK instrumentation, the W3C
 * trace-context propagator, spans exported over OTLP (the exporter reads the standard OTEL_EXPORTER_OTLP_*
 * variables). Must run before http, fastify and the AWS SDK are first required: main.ts loads this
 * module, only when tracing is configured, before anything it instruments.
 */
export function startTracing(config: AppConfig): Tracing {
  const sdk = new NodeSDK({
    serviceName: config.tracing.serviceName,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => UNTRACED_PATHS.test(req.url ?? ''),
      }),
      new FastifyOtelInstrumentation({
        registerOnInitialization: true,
        instrumentHooks: false,
        ignorePaths: (route: { url: string }) => UNTRACED_PATHS.test(route.url),
      }),
      new AwsInstrumentation({ suppressInternalInstrumentation: true }),
    ],
    // Traces only: this service's metrics are Prometheus's and its logs go to stdout.
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  return {
    logMixin(): Record<string, string> {
      const span = trace.getSpan(context.active());
      if (!span) return {};
      const { traceId, spanId } = span.spanContext();
      return { trace_id: traceId, span_id: spanId };
    },
    shutdown: () => sdk.shutdown(),
  };
}
