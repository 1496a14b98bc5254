import type { Server } from 'node:http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from '../common/logging/logger';
import type { AppConfig } from '../config';
import { shutdownWithDeadline } from './graceful-shutdown';
import { InFlightRequests } from './in-flight-requests';

const SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

/**
 * main.ts: on SIGTERM or SIGINT, shut the app down within SHUTDOWN_TIMEOUT_MS and exit; `flush`
 * (the tracing exporter's) runs after the app has closed.
 */
export function exitOnShutdownSignals(
  app: NestFastifyApplication,
  config: AppConfig,
  logger: Logger,
  flush?: () => Promise<void>,
): void {
  const onSignal = (signal: NodeJS.Signals) => {
    for (const s of SIGNALS) process.removeListener(s, onSignal);
    logger.info({ signal, timeout_ms: config.shutdownTimeoutMs }, 'shutting down');
    const server = app.getHttpServer() as Server;
    const inFlight = app.get(InFlightRequests);
    void shutdownWithDeadline(
      {
        close: async () => {
          await app.close();
          await flush?.();
        },
        closeAllConnections: () => server.closeAllConnections(),
        inFlight: () => inFlight.size,
      },
      config.shutdownTimeoutMs,
      logger,
      (code) => process.exit(code),
    );
  };
  for (const s of SIGNALS) process.on(s, onSignal);
}
