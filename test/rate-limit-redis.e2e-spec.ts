import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import Redis from 'ioredis';
import request from 'supertest';
import { findFreePort } from '../src/database/local/dynamodb-local';
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
  });
  afterAll(async () => {
    await stopRedis(redis);
    await two?.close({ dropTable: false });
    await one?.close();
  });

  const login = (t: TestApp) =>
    request(t.http)
      .post('/auth/login')
      .send({ username: 'nobody_at_all', password: 'not a real password' });

  it('counts requests to both instances against one limit', async () => {
    const statuses: number[] = [];
    const remaining: string[] = [];
    for (const t of [one, two, one, two]) {
      const res = await login(t);
      statuses.push(res.status);
      remaining.push(res.headers['x-ratelimit-remaining-auth']);
    }
    expect(statuses).toEqual([401, 401, 401, 401]);
    expect(remaining).toEqual(['3', '2', '1', '0']);
    for (const t of [one, two]) {
      const res = await login(t);
      expect(res.status).toBe(429);
      expect(res.body.code).toBe('rate_limited');
      expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
    const client = new Redis(redis!.url);
    try {
      expect((await client.keys('*rl:auth:*')).length).toBeGreaterThan(0);
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
      const res = await request(t.http).get('/users/me/profile');
      expect(res.status).toBe(401);
      expect(res.body.code).not.toBe('rate_limited');
      expect(t.logs.text).toContain('rate-limit storage failed; request allowed');
    } finally {
      await t.close();
      await stopRedis(own);
    }
  });
});
