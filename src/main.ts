import 'reflect-metadata';
import { join } from 'node:path';
import { assertPortAvailable, PortInUseError } from './common/http/port-available';
import { createLogger, writePlainLine } from './common/logging/logger';
import { AppConfig, ConfigError, loadConfigFromEnvironment } from './config';
import {
  DynamoDbLocalHandle,
  JavaMissingError,
  startDynamoDbLocal,
} from './database/local/dynamodb-local';

async function startEmbeddedDatabase(
  config: AppConfig,
): Promise<{ config: AppConfig; handle: DynamoDbLocalHandle }> {
  const handle = await startDynamoDbLocal({
    dbPath: join(config.localDataDir, 'dynamodb'),
    pidFile: join(config.localDataDir, 'dynamodb.pid'),
    onFetch: () =>
      console.log('First start: fetching DynamoDB Local (57 MB, once; kept under .cache/)...'),
  });
  const withEndpoint = loadConfigFromEnvironment({ DYNAMODB_ENDPOINT: handle.endpoint });
  return {
    config: { ...withEndpoint, dynamodb: { ...withEndpoint.dynamodb, embedded: true } },
    handle,
  };
}

async function bootstrap(): Promise<void> {
  let config = loadConfigFromEnvironment();
  // Before anything it instruments (http, fastify, the AWS SDK) is loaded; not even loaded when off.
  const tracing = config.tracing.enabled
    ? (await import('./tracing')).startTracing(config)
    : undefined;
  const logger = createLogger(config.logLevel, undefined, tracing?.logMixin);
  await assertPortAvailable(config.port);
  let emulator: DynamoDbLocalHandle | undefined;
  if (config.dynamodb.embedded) {
    ({ config, handle: emulator } = await startEmbeddedDatabase(config));
    logger.info(
      { endpoint: emulator.endpoint, data: config.localDataDir },
      'embedded DynamoDB Local started',
    );
  }
  // Loaded only now, so a machine without Java gets one clear line and not the SDK's start-up warnings.
  const { createDynamoDbClient } = await import('./database/dynamodb.client');
  const { ensureTable } = await import('./database/ensure-table');
  const { createApp } = await import('./app.setup');
  const { EmbeddedDatabase } = await import('./database/embedded-database');
  const { exitOnShutdownSignals } = await import('./health/shutdown-signals');
  if (config.dynamodb.createTableIfMissing) {
    const client = createDynamoDbClient(config);
    const result = await ensureTable(client, config.dynamodb.tableName);
    client.destroy();
    if (result === 'created') logger.info({ table: config.dynamodb.tableName }, 'table created');
  }
  const app = await createApp(config, { logger });
  if (emulator) app.get(EmbeddedDatabase).register(emulator);
  exitOnShutdownSignals(app, config, logger, tracing && (() => tracing.shutdown()));
  await app.listen({ port: config.port, host: '0.0.0.0' });
  // The bound port, which differs from config.port when that is 0 (any free port).
  const address = app.getHttpServer().address();
  const port = address && typeof address === 'object' ? address.port : config.port;
  const base = `http://localhost:${port}`;
  logger.info({ port }, `user-service listening on ${base}`);
  // The friendly line last, on the logger's stream so the JSON lines before it stay before it.
  writePlainLine(
    logger,
    config.docsEnabled
      ? `API docs: ${base}/docs   Health: ${base}/health`
      : `Health: ${base}/health`,
  );
}

bootstrap().catch((err: unknown) => {
  if (
    err instanceof ConfigError ||
    err instanceof JavaMissingError ||
    err instanceof PortInUseError
  ) {
    console.error(err.message);
  } else {
    console.error('Start-up failed:', err instanceof Error ? err.message : String(err));
  }
  process.exit(1);
});
