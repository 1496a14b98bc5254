/**
 * Jest globalTeardown: stops the DynamoDB Local that test/global-setup.ts started, if any, then
 * fails the run if any app log line of the whole run carries a password, token or Authorization.
 */
import type { DynamoDbLocalHandle } from '../src/database/local/dynamodb-local';
import { HANDLE_KEY } from './global-setup';
import { auditRunLogs } from './utils/run-audit';

export default async function globalTeardown(): Promise<void> {
  const store = globalThis as Record<string, unknown>;
  const handle = store[HANDLE_KEY] as DynamoDbLocalHandle | undefined;
  if (handle) {
    delete store[HANDLE_KEY];
    await handle.stop();
  }
  const audit = auditRunLogs();
  if (audit.problems.length > 0) {
    throw new Error(
      `Secrets in the app logs of this run (${audit.problems.length}):\n${audit.problems.slice(0, 20).join('\n')}`,
    );
  }
  console.log(
    `Log audit: ${audit.lines} app log lines checked against ${audit.secrets} test secrets, JWT and bearer patterns: clean.`,
  );
}
