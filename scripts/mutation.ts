/**
 * `npm run test:mutation [-- stryker options]`: mutation testing (stryker.config.mjs). Starts one
 * in-memory DynamoDB Local for the whole run and hands it to every test run of every mutant as
 * TEST_DYNAMODB_ENDPOINT (the adapter specs need it; Stryker's jest runner would otherwise run the
 * global setup, and start a JVM, once per mutant), then runs Stryker and stops the emulator.
 * Stryker's exit code is this script's: non-zero when the score is below `thresholds.break`.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { DEFAULT_CACHE_DIR, startDynamoDbLocal } from '../src/database/local/dynamodb-local';

const STRYKER = path.join(__dirname, '..', 'node_modules', '.bin', 'stryker');

function runStryker(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(STRYKER, ['run', ...args], { stdio: 'inherit', env });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', forward).on('SIGTERM', forward);
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function main(): Promise<number> {
  const handle = await startDynamoDbLocal({
    pidFile: path.join(DEFAULT_CACHE_DIR, 'mutation-jvm.pid'),
  });
  console.log(
    `DynamoDB Local (in memory) for the mutation run at ${handle.endpoint}, pid ${handle.pid}`,
  );
  try {
    return await runStryker(process.argv.slice(2), {
      ...process.env,
      TEST_DYNAMODB_ENDPOINT: handle.endpoint,
    });
  } finally {
    await handle.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
