import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeleteTableCommand, DynamoDB } from '@aws-sdk/client-dynamodb';
import * as bcrypt from 'bcrypt';
import { testConfig, uniqueTableName } from './utils/test-app';

const ROOT = join(__dirname, '..');
const SDK_WARNING = 'NodeVersionSupportWarning';
/** The AWS SDK's releases after early January 2027 need this major (its own start-up warning says so). */
const SDK_MIN_MAJOR = 22;

const major = (version: string): number => Number(/^v?(\d+)\./.exec(version)?.[1]);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function runCreateTable(env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [
        '-r',
        'ts-node/register/transpile-only',
        join(ROOT, 'src', 'database', 'cli', 'create-table.ts'),
      ],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('Runtime: the Node.js line of the image, CI and engines (e2e)', () => {
  const nvmrc = readFileSync(join(ROOT, '.nvmrc'), 'utf8').trim();

  it('builds the Docker image on the exact Node.js version that CI tests (.nvmrc), in both stages', () => {
    expect(nvmrc).toMatch(/^\d+\.\d+\.\d+$/);
    const froms = [...readFileSync(join(ROOT, 'Dockerfile'), 'utf8').matchAll(/^FROM (\S+)/gm)].map(
      (m) => m[1],
    );
    expect(froms).toEqual([`node:${nvmrc}-bookworm-slim`, `node:${nvmrc}-bookworm-slim`]);
    // An LTS line (even major) the AWS SDK keeps supporting.
    expect(major(nvmrc) % 2).toBe(0);
    expect(major(nvmrc)).toBeGreaterThanOrEqual(SDK_MIN_MAJOR);
  });

  it('declares in engines the lines the AWS SDK supports, which include the image line', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      engines: { node: string };
    };
    expect(pkg.engines.node).toBe(`>=${SDK_MIN_MAJOR}`);
    expect(major(nvmrc)).toBeGreaterThanOrEqual(SDK_MIN_MAJOR);
  });

  it('loads bcrypt’s prebuilt N-API binding on this runtime and hashes with it', async () => {
    const hash = await bcrypt.hash('correct horse battery staple', 4);
    expect(hash).toMatch(/^\$2b\$04\$/);
    await expect(bcrypt.compare('correct horse battery staple', hash)).resolves.toBe(true);
    await expect(bcrypt.compare('wrong', hash)).resolves.toBe(false);
  });

  it(`prints the AWS SDK's unsupported-runtime warning exactly when Node.js is older than ${SDK_MIN_MAJOR} (here ${process.version})`, async () => {
    const tableName = uniqueTableName('runtime');
    const config = testConfig(tableName);
    const run = await runCreateTable({
      NODE_ENV: 'test',
      DYNAMODB_ENDPOINT: config.dynamodb.endpoint!,
      DYNAMODB_TABLE_NAME: tableName,
      JWT_SECRET_KEY: config.jwt.secret,
    });
    const ddb = new DynamoDB({
      endpoint: config.dynamodb.endpoint,
      region: config.aws.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await ddb.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
    ddb.destroy();

    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Table ${tableName} created`);
    if (major(process.version) >= SDK_MIN_MAJOR) {
      expect(run.stderr).not.toContain(SDK_WARNING);
      expect(run.stderr).not.toMatch(/warning/i);
    } else {
      expect(run.stderr).toContain(SDK_WARNING);
    }
  });
});
