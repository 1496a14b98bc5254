import { createServer as createHttpServer, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo, createServer, Server, Socket } from 'node:net';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import pino from 'pino';
import type { Counter } from 'prom-client';
import request from 'supertest';
import { MovementOutcomeUnknownError } from '../src/balance/domain/balance.errors';
import { MoneyMovementService } from '../src/balance/money-movement.service';
import type { MovementWrite } from '../src/balance/persistence/balance.repository';
import { DynamoBalanceRepository } from '../src/balance/persistence/dynamo-balance.repository';
import { LedgerStoreUnavailableError } from '../src/balance/persistence/dynamo-errors';
import { createDynamoDbClient } from '../src/database/dynamodb.client';
import { startTestApp, testConfig, TestApp, uniqueTableName } from './utils/test-app';
import { expectProblem } from './utils/problems';

/** Generous bound for one request: the SDK gives up after 3 sends of at most ~3 s each. */
const BOUND_MS = 15_000;

/**
 * A DynamoDB endpoint that accepts connections, reads the requests and never answers (a hung
 * server, a black-holed network). Requests that need DynamoDB must answer 503 problem+json once the
 * SDK's timeouts fire: never hang, never 500.
 */
describe('DynamoDB that accepts connections and never answers', () => {
  let blackHole: Server;
  const open = new Set<Socket>();
  let connections = 0;
  let t: TestApp;

  beforeAll(async () => {
    blackHole = createServer((socket) => {
      connections++;
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => undefined);
      socket.resume(); // read and discard: the client's request is fully sent, no answer ever comes
    });
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    const { port } = blackHole.address() as AddressInfo;
    t = await startTestApp(
      'dynamodb_timeout',
      { DYNAMODB_ENDPOINT: `http://127.0.0.1:${port}` },
      undefined,
      { createTable: false },
    );
  });

  afterAll(async () => {
    await t?.close({ dropTable: false });
    for (const socket of open) socket.destroy();
    await new Promise<void>((resolve) => blackHole?.close(() => resolve()));
  });

  function expectUnavailable(res: request.Response): void {
    expectProblem(res, 503, 'service_unavailable');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(res.text).not.toMatch(/TimeoutError|Exception|stack/);
  }

  it('GET /health/detailed answers 503 (its DescribeTable is aborted after 1 s)', async () => {
    const before = connections;
    const res = await request(t.http).get('/health/detailed').timeout(BOUND_MS);
    expectUnavailable(res);
    expect(res.body.detail).toContain('dynamodb');
    expect(connections).toBeGreaterThan(before);
    await request(t.http).get('/health/live').timeout(BOUND_MS).expect(200);
  });

  it('POST /auth/login answers 503, not 500, once the SDK request timeout fires', async () => {
    const before = connections;
    const res = await request(t.http)
      .post('/auth/login')
      .send({ username: 'jane_doe', password: 'correct horse battery staple' })
      .timeout(BOUND_MS);
    expectUnavailable(res);
    expect(connections).toBeGreaterThan(before);
  });

  it('the ledger adapter: a read fails with 503, a timed-out movement write is "unknown"', async () => {
    const repo = new DynamoBalanceRepository(DynamoDBDocumentClient.from(t.ddb), t.config);
    const now = new Date().toISOString();
    const write: MovementWrite = {
      kind: 'deposit',
      amountCents: 100,
      expectedVersion: 0,
      balanceAfter: {
        userId: 'u-timeout',
        currentCents: 100,
        heldCents: 0,
        version: 1,
        updatedAt: now,
      },
      transaction: {
        transactionId: '01JNM7Z5X0000000000000000T',
        userId: 'u-timeout',
        type: 'deposit',
        amountCents: 100,
        status: 'completed',
        description: null,
        referenceId: null,
        balanceAfterCents: 100,
        createdAt: now,
        updatedAt: now,
      },
      dailyLimit: { day: now.slice(0, 10), limitCents: 1_000_000 },
    };
    const [read, moved] = await Promise.allSettled([
      repo.getBalance('u-timeout'),
      repo.applyMovement(write),
    ]);
    expect(read.status).toBe('rejected');
    expect((read as PromiseRejectedResult).reason).toBeInstanceOf(LedgerStoreUnavailableError);
    // The request may have reached DynamoDB: the caller must settle it, not plan a new write.
    expect(moved).toEqual({ status: 'fulfilled', value: 'unknown' });
  }, 30_000);
});

/**
 * DynamoDB that answers reads but never answers TransactWriteItems: the deposit's write may have
 * landed, so the service may only resend that same write, and answers 503 without a new one.
 */
describe("DynamoDB that never answers a deposit's TransactWriteItems", () => {
  let server: ReturnType<typeof createHttpServer>;
  const hanging = new Set<ServerResponse>();
  const transactWrites: string[] = [];
  let endpoint: string;

  const balanceItem = {
    PK: { S: 'u-hang' },
    SK: { S: 'balance' },
    entity: { S: 'balance' },
    user_id: { S: 'u-hang' },
    current_cents: { N: '0' },
    held_cents: { N: '0' },
    version: { N: '0' },
    updated_at: { S: '2025-01-01T00:00:00.000Z' },
  };

  beforeAll(async () => {
    server = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const target = String(req.headers['x-amz-target'] ?? '');
        if (target.endsWith('.TransactWriteItems')) {
          transactWrites.push(Buffer.concat(chunks).toString('utf8'));
          hanging.add(res); // never answered
          return;
        }
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify(target.endsWith('.GetItem') ? { Item: balanceItem } : {}));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const res of hanging) res.socket?.destroy();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  });

  it('answers 503 service_unavailable and only ever resends the identical write', async () => {
    const config = testConfig(uniqueTableName('hang'), { DYNAMODB_ENDPOINT: endpoint });
    const client = createDynamoDbClient(config);
    const repo = new DynamoBalanceRepository(
      DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
      config,
    );
    const counter = { inc: () => undefined } as unknown as Counter<string>;
    const service = new MoneyMovementService(repo, config, counter, pino({ level: 'silent' }));
    try {
      const outcome = await service
        .deposit({ userId: 'u-hang', amountCents: 500, description: null, requestId: 'r-hang' })
        .then(
          () => 'resolved',
          (err: unknown) => err,
        );
      expect(outcome).toBeInstanceOf(MovementOutcomeUnknownError);
      expect(outcome).toMatchObject({ status: 503, code: 'service_unavailable' });
      // The SDK's own same-token retries (the budget is spent: no resend), all the very same write.
      expect(transactWrites.length).toBeGreaterThanOrEqual(3);
      expect(new Set(transactWrites).size).toBe(1);
      expect(JSON.parse(transactWrites[0]).ClientRequestToken).toMatch(/^[A-Za-z0-9_-]{36}$/);
    } finally {
      client.destroy();
    }
  }, 45_000);
});
