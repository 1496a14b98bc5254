/**
 * Jest globalTeardown: stops the DynamoDB Local that test/global-setup.ts started, if any, then
 * fails the run if any log line of the whole run carries a password, token or Authorization value,
 * or if the audit saw no log line or no secret while apps ran (see utils/run-audit.ts).
 */
import type { DynamoDbLocalHandle } from '../src/database/local/dynamodb-local';
import { HANDLE_KEY } from './global-setup';
import { AUDIT_DIR_ENV, auditRunLogs, endRunAudit } from './utils/run-audit';

export default async function globalTeardown(): Promise<void> {
  const store = globalThis as Record<string, unknown>;
  const handle = store[HANDLE_KEY] as DynamoDbLocalHandle | undefined;
  if (handle) {
    delete store[HANDLE_KEY];
    await handle.stop();
  }
  const dir = process.env[AUDIT_DIR_ENV];
  if (!dir) throw new Error(`Log audit: ${AUDIT_DIR_ENV} is not set, nothing was audited.`);
  const started = Date.now();
  const audit = auditRunLogs(dir);
  if (audit.problems.length > 0) {
    throw new Error(
      `Log audit failed (${audit.problems.length} problems; run files kept in ${dir}):\n` +
        audit.problems.slice(0, 20).join('\n'),
    );
  }
  endRunAudit(dir);
  console.log(
    audit.sources === 0
      ? 'Log audit: no app, server or CLI ran in this run: nothing to audit.'
      : `Log audit: ${audit.lines} log lines from ${audit.sources} apps, servers and CLIs checked ` +
          `against ${audit.secrets} test secrets, JWT and bearer patterns in ${Date.now() - started} ms: clean.`,
  );
}
