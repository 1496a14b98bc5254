import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import pino from 'pino';
import { AdminBootstrapService } from '../auth/admin-bootstrap.service';
import { AppError } from '../common/errors';
import { createLogger } from '../common/logging/logger';
import { NestPinoLogger } from '../common/logging/nest-logger';
import { AppConfig, loadConfigFromEnvironment } from '../config';
import { adminPasswordFromEnvironment } from '../config/cli-input';
import { createDynamoDbClient } from '../database/dynamodb.client';
import { ensureTable } from '../database/ensure-table';
import { DynamoDbLocalHandle, startDynamoDbLocal } from '../database/local/dynamodb-local';
import { parseArgs, runCli, UsageError } from './cli-args';
import { CliModule } from './cli.module';

const USAGE =
  'ADMIN_PASSWORD=... npm run user:create-admin -- --username NAME --email EMAIL [--first-name F] [--last-name L]\n' +
  "  (or pipe the password on stdin; --password PASSWORD also works but shows in npm's banner and the process list)";

/**
 * The password: `--password` (scripts), else ADMIN_PASSWORD, else the first line of stdin when it is
 * not a terminal. The last two keep it off the screen, npm's banner and `ps`.
 */
async function passwordFrom(args: Record<string, string>): Promise<string> {
  if (args.password) return args.password;
  const fromEnv = adminPasswordFromEnvironment();
  if (fromEnv) return fromEnv;
  if (process.stdin.isTTY) {
    throw new UsageError('Give the password in ADMIN_PASSWORD, on stdin, or with --password.');
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const line = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  if (!line) throw new UsageError('No password on stdin.');
  return line;
}

/**
 * Without DYNAMODB_ENDPOINT outside production: the embedded DynamoDB Local data `npm start` uses
 * (stop the dev server first, or point DYNAMODB_ENDPOINT at the DynamoDB it runs).
 */
async function withDatabase(
  config: AppConfig,
): Promise<{ config: AppConfig; emulator?: DynamoDbLocalHandle }> {
  if (!config.dynamodb.embedded) return { config };
  const emulator = await startDynamoDbLocal({ dbPath: join(config.localDataDir, 'dynamodb') });
  return {
    config: loadConfigFromEnvironment({ DYNAMODB_ENDPOINT: emulator.endpoint }),
    emulator,
  };
}

/**
 * `npm run user:create-admin`: creates an admin (same validation and transaction as registration)
 * or promotes the existing user with that username. Logs go to stderr.
 */
runCli(USAGE, async () => {
  const args = parseArgs(process.argv.slice(2), [
    'username',
    'email',
    'password',
    'first-name',
    'last-name',
  ]);
  for (const required of ['username', 'email']) {
    if (!args[required]) throw new UsageError(`--${required} is required.`);
  }
  const password = await passwordFrom(args);
  const { config, emulator } = await withDatabase(loadConfigFromEnvironment());
  const logger = createLogger(config.logLevel, pino.destination(2));
  try {
    if (config.dynamodb.createTableIfMissing) {
      const client = createDynamoDbClient(config);
      await ensureTable(client, config.dynamodb.tableName).finally(() => client.destroy());
    }
    const app = await NestFactory.createApplicationContext(CliModule.forRoot(config, logger), {
      logger: new NestPinoLogger(logger),
      abortOnError: false,
    });
    try {
      const result = await app.get(AdminBootstrapService).createOrPromote({
        username: args.username,
        email: args.email,
        password,
        firstName: args['first-name'],
        lastName: args['last-name'],
      });
      const { user } = result;
      const verb = { created: 'Created', promoted: 'Promoted', unchanged: 'Already an admin:' }[
        result.outcome
      ];
      console.log(`${verb} admin ${user.username} (user_id ${user.userId}).`);
    } catch (err) {
      if (err instanceof AppError) {
        const fields = err.errors?.map((e) => e.message).join('; ');
        throw new Error(`${err.detail}${fields ? ` ${fields}` : ''} (${err.code})`);
      }
      throw err;
    } finally {
      await app.close();
    }
  } finally {
    await emulator?.stop();
  }
});
