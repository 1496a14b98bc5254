import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { DeleteTableCommand, DynamoDB } from '@aws-sdk/client-dynamodb';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../src/app.setup';
import type { Clock } from '../../src/common/clock';
import { createLogger } from '../../src/common/logging/logger';
import { AppConfig, loadConfig } from '../../src/config';
import { createDynamoDbClient } from '../../src/database/dynamodb.client';
import { ensureTable } from '../../src/database/ensure-table';
import { recordHttpSecrets } from './http-secrets';
import { recordLogLines, recordLogSource, recordSecrets } from './run-audit';
import {
  assertLoopbackEndpoint,
  assertTestConfig,
  assertTestTableName,
  TEST_TABLE_PREFIX,
} from './test-guard';

export { assertLoopbackEndpoint, assertTestConfig, assertTestTableName } from './test-guard';

export const TEST_JWT_SECRET = 'e2e-only-secret-0123456789abcdef0123456789';

export function uniqueTableName(label: string): string {
  return `${TEST_TABLE_PREFIX}${label.replace(/[^A-Za-z0-9]/g, '_')}_${randomBytes(4).toString('hex')}`;
}

export function testEndpoint(): string {
  const endpoint = process.env.TEST_DYNAMODB_ENDPOINT;
  if (!endpoint)
    throw new Error('TEST_DYNAMODB_ENDPOINT is not set: run e2e tests through jest-e2e config.');
  assertLoopbackEndpoint(endpoint, 'TEST_DYNAMODB_ENDPOINT');
  return endpoint;
}

/** Captures every log line the app writes, so tests can assert on (and for the absence of) content. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    const lines = chunk.toString('utf8').split('\n').filter(Boolean);
    this.lines.push(...lines);
    recordLogLines(lines);
    done();
  }
  get text(): string {
    return this.lines.join('\n');
  }
}

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  logs: LogCapture;
  /** A raw SDK client on the same table, for assertions on stored items. */
  ddb: DynamoDB;
  http: ReturnType<NestFastifyApplication['getHttpServer']>;
  close(options?: { dropTable?: boolean }): Promise<void>;
}

/** The app's configuration for a test; refused unless it names a test table on a loopback DynamoDB. */
export function testConfig(tableName: string, env: Record<string, string> = {}): AppConfig {
  assertTestTableName(tableName);
  const config = loadConfig({
    NODE_ENV: 'test',
    DYNAMODB_ENDPOINT: testEndpoint(),
    DYNAMODB_TABLE_NAME: tableName,
    JWT_SECRET_KEY: TEST_JWT_SECRET,
    BCRYPT_COST: '4',
    LOG_LEVEL: 'debug',
    RATE_LIMIT_ENABLED: 'false',
    ...env,
  });
  assertTestConfig(config);
  return config;
}

/**
 * Builds the real application (same wiring as main.ts) against DynamoDB Local with its own table.
 * Pass `tableName` to share a table between two app instances, `createTable: false` when the
 * endpoint is not a working DynamoDB (the app itself makes no DynamoDB call to start), and `clock`
 * to decide what day it is for the daily limits.
 */
export async function startTestApp(
  label: string,
  env: Record<string, string> = {},
  tableName = uniqueTableName(label),
  { createTable = true, clock }: { createTable?: boolean; clock?: Clock } = {},
): Promise<TestApp> {
  const config = testConfig(tableName, env);
  const ddb = createDynamoDbClient(config);
  if (createTable) await ensureTable(ddb, config.dynamodb.tableName);
  recordLogSource(`app ${config.dynamodb.tableName}`);
  recordSecrets(config.jwt.secret);
  const logs = new LogCapture();
  const app = await createApp(config, { logger: createLogger(config.logLevel, logs), clock });
  recordHttpSecrets(app.getHttpServer());
  return {
    app,
    config,
    logs,
    ddb,
    http: app.getHttpServer(),
    async close({ dropTable = true } = {}) {
      await app.close();
      if (dropTable) {
        assertTestConfig(config);
        await ddb
          .send(new DeleteTableCommand({ TableName: config.dynamodb.tableName }))
          .catch(() => undefined);
      }
      ddb.destroy();
    },
  };
}
