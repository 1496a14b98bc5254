/**
 * Jest globalSetup (runs once, in the parent process): starts an in-memory DynamoDB Local on a free
 * port and exposes it as TEST_DYNAMODB_ENDPOINT, which the test workers inherit. If
 * TEST_DYNAMODB_ENDPOINT is already set, that DynamoDB is used and nothing is started — only if it is on
 * a loopback address. Also starts this run's log audit (a directory of its own, see run-audit.ts).
 */
import * as path from 'node:path';
import {
  DEFAULT_CACHE_DIR,
  ensureEmulator,
  startDynamoDbLocal,
  type DynamoDbLocalHandle,
} from '../src/database/local/dynamodb-local';

import { startRunAudit } from './utils/run-audit';
import { assertLoopbackEndpoint } from './utils/test-guard';

export const HANDLE_KEY = '__userServiceDynamoDbLocal';

export default async function globalSetup(): Promise<void> {
  const preset = process.env.TEST_DYNAMODB_ENDPOINT;
  if (preset) assertLoopbackEndpoint(preset, 'TEST_DYNAMODB_ENDPOINT');
  startRunAudit();
  if (preset) {
    console.log(`\nUsing DynamoDB at TEST_DYNAMODB_ENDPOINT=${process.env.TEST_DYNAMODB_ENDPOINT}`);
    return;
  }
  const started = Date.now();
  await ensureEmulator(DEFAULT_CACHE_DIR);
  const handle: DynamoDbLocalHandle = await startDynamoDbLocal({
    pidFile: path.join(DEFAULT_CACHE_DIR, 'test-jvm.pid'),
  });
  (globalThis as Record<string, unknown>)[HANDLE_KEY] = handle;
  process.env.TEST_DYNAMODB_ENDPOINT = handle.endpoint;
  console.log(
    `\nDynamoDB Local (in memory) at ${handle.endpoint}, pid ${handle.pid}, ready in ${Date.now() - started} ms`,
  );
}
