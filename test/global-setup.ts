/**
 * Jest globalSetup (runs once, in the parent process): starts an in-memory DynamoDB Local on a free
 * port and exposes it as TEST_DYNAMODB_ENDPOINT, which the test workers inherit. If
 * TEST_DYNAMODB_ENDPOINT is already set, that DynamoDB is used and nothing is started.
 */
import * as path from 'node:path';
import {
  DEFAULT_CACHE_DIR,
  ensureEmulator,
  startDynamoDbLocal,
  type DynamoDbLocalHandle,
} from '../src/database/local/dynamodb-local';

import { resetRunAudit } from './utils/run-audit';

export const HANDLE_KEY = '__userServiceDynamoDbLocal';

export default async function globalSetup(): Promise<void> {
  resetRunAudit();
  if (process.env.TEST_DYNAMODB_ENDPOINT) {
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
