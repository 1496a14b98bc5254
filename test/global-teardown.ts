/** Jest globalTeardown: stops the DynamoDB Local that test/global-setup.ts started, if any. */
import type { DynamoDbLocalHandle } from '../src/database/local/dynamodb-local';
import { HANDLE_KEY } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  const store = globalThis as Record<string, unknown>;
  const handle = store[HANDLE_KEY] as DynamoDbLocalHandle | undefined;
  if (!handle) return;
  delete store[HANDLE_KEY];
  await handle.stop();
}
