/**
 * `npm run db:start [-- --port 8000]`: runs DynamoDB Local in the foreground with its data under
 * `.data/dynamodb`, until Ctrl-C (SIGINT) or SIGTERM.
 */
import * as path from 'node:path';
import {
  DEFAULT_CACHE_DIR,
  JavaMissingError,
  REPO_ROOT,
  startDynamoDbLocal,
  type DynamoDbLocalHandle,
} from './dynamodb-local';

const DEFAULT_PORT = 8000;

function parsePort(argv: string[]): number {
  let raw: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--port') raw = argv[++i];
    else if (arg.startsWith('--port=')) raw = arg.slice('--port='.length);
    else throw new Error(`Unknown argument: ${arg} (usage: db-start [--port N])`);
  }
  if (raw === undefined) return DEFAULT_PORT;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 1 || port > 65535) {
    throw new Error(`--port must be an integer between 1 and 65535, got "${raw}"`);
  }
  return port;
}

async function main(): Promise<void> {
  const port = parsePort(process.argv.slice(2));
  const dbPath = path.join(REPO_ROOT, '.data', 'dynamodb');
  console.log(`Starting DynamoDB Local on port ${port} (data in ${dbPath}) ...`);

  const started = Date.now();
  const handle: DynamoDbLocalHandle = await startDynamoDbLocal({
    port,
    dbPath,
    pidFile: path.join(DEFAULT_CACHE_DIR, 'db-start.pid'),
  });
  console.log(
    `DynamoDB Local is running at ${handle.endpoint} (pid ${handle.pid}, ready in ${Date.now() - started} ms).`,
  );
  console.log(`set DYNAMODB_ENDPOINT=${handle.endpoint} to use it; Ctrl-C stops it.`);

  // The handle does not keep Node alive by itself.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal} received, stopping DynamoDB Local ...`);
    handle
      .stop()
      .then(() => {
        clearInterval(keepAlive);
        console.log('DynamoDB Local stopped.');
        process.exit(0);
      })
      .catch((err: unknown) => {
        console.error(err);
        process.exit(1);
      });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  if (err instanceof JavaMissingError) {
    console.error(err.message);
  } else {
    console.error(err instanceof Error ? err.message : err);
  }
  process.exit(1);
});
