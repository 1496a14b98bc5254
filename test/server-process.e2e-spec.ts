import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Api } from './utils/ledger-http';
import { httpStatus, listeningBase, spawnServer, waitFor } from './utils/server-process';
import { strongPassword } from './utils/users';

const pidAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** SIGTERM was handled: shutdown logged, and neither cut at the deadline nor failed. */
function expectGracefulShutdown(output: string): void {
  expect(output).toMatch(
    /"signal":"SIGTERM".*"message":"shutting down"|"message":"shutting down".*"signal":"SIGTERM"/,
  );
  expect(output).not.toMatch(/shutdown deadline reached|shutdown failed|did not finish/);
}

/** The real entry point in a child process: embedded DynamoDB, persistence, graceful shutdown. */
// Spawns the real server (and its embedded JVM) several times: slow on a busy 2-core machine.
jest.setTimeout(180_000);

describe('npm start (src/main.ts as a process)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'user-service-data-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts an embedded DynamoDB, keeps data across restarts and shuts down gracefully', async () => {
    const env = {
      NODE_ENV: 'development',
      PORT: '0',
      LOCAL_DATA_DIR: dataDir,
      BCRYPT_COST: '4',
      SHUTDOWN_DRAIN_MS: '1500',
    };
    const user = {
      username: `persist_${Date.now() % 1e9}`,
      email: `persist${Date.now() % 1e9}@example.com`,
      password: strongPassword(),
      first_name: 'Ada',
      last_name: 'Lovelace',
    };

    const first = spawnServer(env);
    const base = await listeningBase(first, 90_000);
    await waitFor(
      async () => (await httpStatus(`${base}/health/detailed`)) === 200,
      90_000,
      'first start',
    );
    expect(first.output()).toContain(`${base.replace('127.0.0.1', 'localhost')}/docs`);
    // The useful line comes last; Nest's per-route start-up lines are debug, not info.
    const started = first.output();
    expect(started.indexOf('API docs:')).toBeGreaterThan(started.indexOf('user-service listening'));
    const mapped = started.split('\n').filter((l) => l.includes('Mapped {'));
    expect(mapped.length).toBeGreaterThan(20);
    for (const line of mapped) expect(JSON.parse(line)).toMatchObject({ level: 'debug' });
    const reg = await new Api(base).call('POST', '/auth/register', { body: user });
    expect(reg.status).toBe(201);
    expect(reg.body.user).toMatchObject({ username: user.username, email: user.email });
    const jvmPid = Number(readFileSync(join(dataDir, 'dynamodb.pid'), 'utf8'));
    expect(pidAlive(jvmPid)).toBe(true);

    first.child.kill('SIGTERM');
    // During the drain, readiness says 503 while liveness still answers.
    await waitFor(
      async () => (await httpStatus(`${base}/health/ready`)) === 503,
      1500,
      'readiness 503',
    );
    expect(await httpStatus(`${base}/health/live`)).toBe(200);
    // A graceful exit: the process handled SIGTERM and exited 0 itself (death by the signal is not).
    expect(await first.exited).toEqual({ code: 0, signal: null });
    expectGracefulShutdown(first.output());
    await waitFor(async () => !pidAlive(jvmPid), 10_000, 'the JVM to stop');
    expect(existsSync(join(dataDir, 'dynamodb'))).toBe(true);

    const second = spawnServer(env);
    try {
      const secondBase = await listeningBase(second, 90_000);
      await waitFor(
        async () => (await httpStatus(`${secondBase}/health/detailed`)) === 200,
        90_000,
        'second start',
      );
      const login = await new Api(secondBase).call('POST', '/auth/login', {
        body: { username: user.username, password: user.password },
      });
      expect(login.status).toBe(200);
      expect(login.body.user_id).toBe(reg.body.user.user_id);
    } finally {
      second.child.kill('SIGTERM');
    }
    expect(await second.exited).toEqual({ code: 0, signal: null });
    expectGracefulShutdown(second.output());
  });

  it('exits with one line naming what to install when Java is missing', async () => {
    const server = spawnServer({
      NODE_ENV: 'development',
      PORT: '0',
      LOCAL_DATA_DIR: dataDir,
      PATH: '/nonexistent',
    });
    const exit = await server.exited;
    expect(exit.code).toBe(1);
    const lines = server.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/default-jre-headless/);
    expect(lines[0]).toMatch(/DYNAMODB_ENDPOINT/);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ NODE_ENV: 'production', DYNAMODB_ENDPOINT: 'http://127.0.0.1:1' }, 'JWT_SECRET_KEY'],
  ])('refuses to start with %j and names %s', async (env, variable) => {
    const server = spawnServer({ LOCAL_DATA_DIR: dataDir, ...env });
    const exit = await server.exited;
    expect(exit.code).toBe(1);
    expect(server.output()).toMatch(new RegExp(`Invalid configuration: ${variable} `));
  });
});
