import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import Redis from 'ioredis';
import { findFreePort } from '../src/database/local/dynamodb-local';
import { Api, listen } from './utils/ledger-http';
import { expectProblem } from './utils/problems';
import { startTestApp, TestApp, uniqueTableName } from './utils/test-app';

interface RedisServer {
  process: ChildProcess;
  pid: number;
  url: string;
}

/** A throwaway redis-server on a free port, no persistence; the test records and kills its PID. */
async function startRedis(): Promise<RedisServer> {
  const probe = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      'redis-server is required (Debian: apt-get install -y redis-server; .ci/run installs it).',
    );
  }
  const port = await findFreePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  if (!child.pid) throw new Error('redis-server did not start');
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const client = new Redis(url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    try {
      await client.connect();
      if ((await client.ping()) === 'PONG') return { process: child, pid: child.pid, url };
    } catch {
      if (Date.now() > deadline) throw new Error('redis-server did not answer within 10 s');
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      client.disconnect();
    }
  }
}

function stopRedis(server: RedisServer | undefined): Promise<void> {
  if (!server || server.process.exitCode !== null || server.process.signalCode !== null)
    return Promise.resolve();
  return new Promise((resolve) => {
    server.process.once('exit', () => resolve());
    process.kill(server.pid, 'SIGTERM');
  });
}

describe('rate limits shared through Redis (e2e, two app instances)', () => {
  let redis: RedisServer | undefined;
  let one: TestApp;
  let two: TestApp;
  const clients = new Map<TestApp, Api>();

  beforeAll(async () => {
    redis = await startRedis();
    const table = uniqueTableName('rl_redis');
    const env = {
      RATE_LIMIT_ENABLED: 'true',
      REDIS_URL: redis.url,
      AUTH_RATE_LIMIT_PER_MINUTE: '4',
    };
    one = await startTestApp('rl_redis', env, table);
    two = await startTestApp('rl_redis', env, table);
    for (const t of [one, two]) clients.set(t, await listen(t));
  });
  afterAll(async () => {
    await stopRedis(redis);
    await two?.close({ dropTable: false });
    await one?.close();
  });

  const login = (t: TestApp) =>
    clients.get(t)!.call('POST', '/auth/login', {
      body: { username: 'nobody_at_all', password: 'not a real password' },
    });

  it('counts requests to both instances against one limit', async () => {
    const remaining: Array<string | null> = [];
    for (const t of [one, two, one, two]) {
      const res = await login(t);
      expectProblem(res, 401, 'invalid_credentials');
      remaining.push(res.headers.get('x-ratelimit-remaining-auth'));
    }
    expect(remaining).toEqual(['3', '2', '1', '0']);
    for (const t of [one, two]) {
      const res = await login(t);
      expectProblem(res, 429, 'rate_limited');
      const retryAfter = Number(res.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
    }
    const client = new Redis(redis!.url);
    try {
      // One client (127.0.0.1) on the auth limit: one shared counter and its block, not one per
      // instance.
      expect((await client.keys('*rl:auth:*')).sort()).toEqual([
        '{rl:auth:127.0.0.1:auth}:blocked',
        '{rl:auth:127.0.0.1:auth}:hits',
      ]);
    } finally {
      client.disconnect();
    }
  });

  it('keeps serving (fail open, no 500, no hang) when Redis goes away', async () => {
    // A Redis and an app of its own: stopping it takes nothing from the other test.
    const own = await startRedis();
    const t = await startTestApp('rl_redis_down', {
      RATE_LIMIT_ENABLED: 'true',
      REDIS_URL: own.url,
    });
    try {
      await stopRedis(own);
      // No wall-clock bound: a hang fails the test by its timeout; the answer and the log line show
      // the limiter gave up on Redis and let the request through.
      const res = await (await listen(t)).call('GET', '/users/me/profile');
      expectProblem(res, 401, 'unauthorized');
      expect(t.logs.text).toContain('rate-limit storage failed; request allowed');
    } finally {
      await t.close();
      await stopRedis(own);
    }
  });
});
