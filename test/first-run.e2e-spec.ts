import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteTableCommand, DynamoDB } from '@aws-sdk/client-dynamodb';
import { recordSecrets } from './utils/run-audit';
import { spawnServer } from './utils/server-process';
import { testEndpoint, uniqueTableName } from './utils/test-app';

const ROOT = join(__dirname, '..');

function runCreateTable(env: Record<string, string>): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', join(ROOT, 'src/database/cli/create-table.ts')],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', ENV_FILE: 'none', ...env },
        timeout: 90_000,
      },
      (err, stdout, stderr) =>
        resolve({ code: err ? Number(err.code ?? 1) : 0, output: stdout + stderr }),
    );
  });
}

async function dropTable(endpoint: string, tableName: string): Promise<void> {
  const ddb = new DynamoDB({
    endpoint,
    region: 'us-west-2',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await ddb.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
  ddb.destroy();
}

/** What a developer meets on a first run: start-up refusals, .env, the table script. */
describe('first run (src/main.ts and db:create-table as processes)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'user-service-first-run-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  describe('a busy or bad PORT', () => {
    let blocker: Server;
    let busyPort: number;
    beforeAll(async () => {
      blocker = createServer();
      await new Promise<void>((resolve) => blocker.listen(0, '0.0.0.0', resolve));
      busyPort = (blocker.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((resolve) => blocker.close(() => resolve())));

    it('exits with one line naming PORT when the port is taken, before starting the emulator', async () => {
      const server = spawnServer({
        NODE_ENV: 'development',
        PORT: String(busyPort),
        LOCAL_DATA_DIR: dataDir,
      });
      const exit = await server.exited;
      expect(exit.code).toBe(1);
      const lines = server.output().trim().split('\n');
      expect(lines).toEqual([
        `PORT ${busyPort} is already in use by another process: stop it or set PORT to a free port (PORT=0 picks one).`,
      ]);
      expect(existsSync(join(dataDir, 'dynamodb.pid'))).toBe(false);
    });

    it('says PORT=abc is not a number', async () => {
      const server = spawnServer({ NODE_ENV: 'development', PORT: 'abc', LOCAL_DATA_DIR: dataDir });
      expect((await server.exited).code).toBe(1);
      expect(server.output().trim()).toBe(
        'Invalid configuration: PORT has an invalid value (PORT is not a number: "abc"; use 1-65535, or 0 for any free port)',
      );
    });
  });

  describe('.env', () => {
    const envFile = join(dataDir, 'dev.env');
    // The file also carries a JWT key: the run-wide audit checks the servers never log it.
    const jwtKey = `env-file-key-${randomBytes(24).toString('base64url')}`;
    beforeAll(() => {
      recordSecrets(jwtKey);
      writeFileSync(envFile, `PORT=from-file\nNODE_ENV=development\nJWT_SECRET_KEY=${jwtKey}\n`);
    });

    it('is read for variables the environment does not set', async () => {
      const server = spawnServer({ ENV_FILE: envFile, LOCAL_DATA_DIR: dataDir });
      expect((await server.exited).code).toBe(1);
      expect(server.output()).toContain('PORT is not a number: "from-file"');
    });

    it('never overrides a variable set in the environment', async () => {
      const server = spawnServer({ ENV_FILE: envFile, PORT: 'from-env', LOCAL_DATA_DIR: dataDir });
      expect((await server.exited).code).toBe(1);
      expect(server.output()).toContain('PORT is not a number: "from-env"');
      expect(server.output()).not.toContain('from-file');
    });

    it('documents every variable it shows in .env.example, commented out', () => {
      const example = readFileSync(join(ROOT, '.env.example'), 'utf8');
      const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
      const names = [...example.matchAll(/^# ([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]);
      expect(names.length).toBeGreaterThan(5);
      for (const name of names)
        expect([name, readme.includes(`| \`${name}\` |`)]).toEqual([name, true]);
      expect(example).not.toMatch(/^[A-Z]/m);
    });
  });

  describe('npm run db:create-table', () => {
    it('in development with no DYNAMODB_ENDPOINT and no AWS credentials, creates the table in the embedded emulator', async () => {
      const tableName = uniqueTableName('first_run');
      const run = await runCreateTable({
        NODE_ENV: 'development',
        LOCAL_DATA_DIR: dataDir,
        DYNAMODB_TABLE_NAME: tableName,
        HOME: dataDir,
      });
      expect(run.output).not.toMatch(/credentials/i);
      expect(run.code).toBe(0);
      expect(run.output).toMatch(
        new RegExp(`Table ${tableName} created \\(http://127\\.0\\.0\\.1:\\d+\\)`),
      );
      expect(existsSync(join(dataDir, 'dynamodb'))).toBe(true);
    }, 120_000);

    it('in production does not demand JWT_SECRET_KEY', async () => {
      const tableName = uniqueTableName('first_run_prod');
      const run = await runCreateTable({
        NODE_ENV: 'production',
        DYNAMODB_ENDPOINT: testEndpoint(),
        DYNAMODB_TABLE_NAME: tableName,
      });
      await dropTable(testEndpoint(), tableName);
      expect(run.output).not.toMatch(/JWT_SECRET_KEY/);
      expect(run.code).toBe(0);
      expect(run.output).toContain(`Table ${tableName} created`);
    });
  });

  it('stops node (and so the emulator) when npm start is sent SIGTERM: the start scripts exec node', () => {
    const scripts = (
      JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    // npm 11 signals its `sh -c` child, which does not pass SIGTERM on to a node it forked.
    for (const name of ['start', 'start:prod', 'db:start'])
      expect([name, scripts[name]]).toEqual([name, expect.stringMatching(/(^|&& )exec node /)]);
  });
});
