import request from 'supertest';
import { DynamoDbLocalHandle, startDynamoDbLocal } from '../src/database/local/dynamodb-local';
import { startTestApp, TestApp } from './utils/test-app';
import { expectProblem } from './utils/problems';

/** Readiness follows DynamoDB: its own emulator, killed and restarted on the same port. */
describe('health when DynamoDB goes away', () => {
  let db: DynamoDbLocalHandle;
  let t: TestApp;

  beforeAll(async () => {
    db = await startDynamoDbLocal({ heapMb: 256 });
    t = await startTestApp('health_dep', { DYNAMODB_ENDPOINT: db.endpoint });
  });
  afterAll(async () => {
    await t.close({ dropTable: false });
    await db.stop();
  });

  it('turns /health/detailed to 503 within 2 s while liveness stays 200, and recovers', async () => {
    await request(t.http).get('/health/detailed').expect(200);
    const port = db.port;
    await db.stop();

    const down = await request(t.http).get('/health/detailed').timeout(2000);
    expectProblem(down, 503, 'service_unavailable');
    expect(down.body.detail).toContain('dynamodb');
    await request(t.http).get('/health/ready').timeout(2000).expect(503);
    await request(t.http).get('/health/live').expect(200);
    await request(t.http).get('/health').expect(200);

    db = await startDynamoDbLocal({ port, heapMb: 256 });
    // In-memory emulator: the table is gone after a restart, so create it again.
    const { ensureTable } = await import('../src/database/ensure-table');
    await ensureTable(t.ddb, t.config.dynamodb.tableName);
    // A freshly started JVM may miss the 1 s readiness deadline at first: poll, bounded.
    let status = 0;
    for (let i = 0; i < 30 && status !== 200; i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 500));
      status = (await request(t.http).get('/health/detailed').timeout(5000)).status;
    }
    expect(status).toBe(200);
  });
});
