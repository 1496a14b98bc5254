import type { AppConfig } from '../../src/config';

/**
 * The e2e guard: the harness only creates, uses or drops a table whose name says it is a test table,
 * on a DynamoDB that can only be this machine.
 */
export const TEST_TABLE_PREFIX = 'test_';

export function assertTestTableName(name: string): void {
  if (!name.startsWith(TEST_TABLE_PREFIX) || !/^[A-Za-z0-9_.-]{3,255}$/.test(name)) {
    throw new Error(
      `Refusing to use table "${name}": e2e tables must start with "${TEST_TABLE_PREFIX}".`,
    );
  }
}

/** Hosts that can only be this machine: a test run never reaches a shared or real DynamoDB. */
const LOOPBACK_HOSTS = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/** Refuses an endpoint that is not http(s) on a loopback address. */
export function assertLoopbackEndpoint(
  endpoint: string | undefined,
  what = 'DynamoDB endpoint',
): void {
  let host: string | undefined;
  try {
    const url = new URL(endpoint ?? '');
    if (url.protocol === 'http:' || url.protocol === 'https:') host = url.hostname;
  } catch {
    host = undefined;
  }
  if (!host || !LOOPBACK_HOSTS.test(host)) {
    throw new Error(
      `Refusing ${what} "${endpoint ?? '(unset)'}": e2e tests only use a DynamoDB on a loopback address.`,
    );
  }
}

/**
 * The guard checks the configuration the app will actually use (after every env override): a
 * `test_` table on a loopback DynamoDB, never the embedded or the default AWS one.
 */
export function assertTestConfig(config: AppConfig): void {
  assertTestTableName(config.dynamodb.tableName);
  assertLoopbackEndpoint(config.dynamodb.endpoint);
}
