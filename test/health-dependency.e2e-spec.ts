import { DynamoDbLocalHandle, startDynamoDbLocal } from '../src/database/local/dynamodb-local';
import { Api, listen } from './utils/ledger-http';
import { startTestApp, TestApp } from './utils/test-app';
import { expectProblem } from './utils/problems';

/** Readiness follows DynamoDB: its own emulator, killed and restarted on the same port. */
describe('health when DynamoDB goes away', () => {
  let db: DynamoDbLocalHandle;
  let t: TestApp;
  let api: Api;
  const health = (path: string, timeoutMs?: number) => api.call('GET', path, { timeoutMs });
  /** A freshly started JVM may miss the 1 s readiness deadline at first: poll, bounded (15 s). */
  async function whenReady() {
    let res = await health('/health/detailed');
    for (let i = 0; i < 30 && res.status !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      res = await health('/health/detailed');
    }
    return res;
  }

  beforeAll(async () => {
    db = await startDynamoDbLocal({ heapMb: 256 });
    t = await startTestApp('health_dep', { DYNAMODB_ENDPOINT: db.endpoint });
    api = await listen(t);
  });
  afterAll(async () => {
    await t.close({ dropTable: false });
    await db.stop();
  });

  it('turns /health/detailed to 503 within 2 s while liveness stays 200, and recovers', async () => {
    const up = await whenReady();
    expect([up.status, up.body?.detail]).toEqual([200, undefined]);
    expect(up.body.details.dynamodb).toEqual({ status: 'up', latency_ms: expect.any(Number) });
    const port = db.port;
    await db.stop();

    const down = await health('/health/detailed', 2000);
    expectProblem(down, 503, 'service_unavailable');
    expect(down.body.detail).toBe('Not ready: dynamodb down.');
    const notReady = await health('/health/ready', 2000);
    expectProblem(notReady, 503, 'service_unavailable');
    expect(notReady.body.detail).toBe('Not ready: dynamodb down.');
    for (const path of ['/health/live', '/health']) {
      const alive = await health(path);
      expect(alive.status).toBe(200);
      expect(alive.body).toMatchObject({ status: 'healthy', service: 'user-service' });
    }

    db = await startDynamoDbLocal({ port, heapMb: 256 });
    // In-memory emulator: the table is gone after a restart, so create it again.
    const { ensureTable } = await import('../src/database/ensure-table');
    await ensureTable(t.ddb, t.config.dynamodb.tableName);
    const recovered = await whenReady();
    expect([recovered.status, recovered.body?.detail]).toEqual([200, undefined]);
    expect(recovered.body.details.dynamodb).toEqual({
      status: 'up',
      latency_ms: expect.any(Number),
    });
  });
});
