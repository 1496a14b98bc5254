import { AddressInfo, createServer, Socket } from 'node:net';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ClientClosedRequestError } from '../../common/http/client-abort-signal.decorator';
import { keys } from '../../database/keys';
import { useTestTable } from '../../database/testing/contract-fixture';
import { createDynamoDbClient } from '../../database/dynamodb.client';
import type { MovementWrite } from './balance.repository';
import { describeBalanceRepositoryContract } from './balance.repository.contract';
import { newBalanceItem } from './balance.item';
import { DynamoBalanceRepository } from './dynamo-balance.repository';
import { LedgerStoreUnavailableError } from './dynamo-errors';
import { toTransactionItem } from './ledger.items';

const db = useTestTable('balance_contract');

describeBalanceRepositoryContract('DynamoDB adapter (DynamoDB Local)', async (clock) => {
  const { doc, config } = db.table;
  const put = (Item: Record<string, unknown>) =>
    doc.send(new PutCommand({ TableName: config.dynamodb.tableName, Item })).then(() => {});
  return {
    repo: new DynamoBalanceRepository(doc, config, clock.nowMs),
    createBalance: (userId) => put({ ...newBalanceItem(userId, clock.date().toISOString()) }),
    putOrphanTransaction: (tx) => put({ ...toTransactionItem(tx) }),
    cleanup: async () => {},
  };
});

describe('DynamoBalanceRepository (adapter only)', () => {
  it('stores the daily counter as a daily_limit item that expires after its UTC day', async () => {
    const { doc, config } = db.table;
    const repo = new DynamoBalanceRepository(doc, config);
    const userId = `counter-${Date.now()}`;
    await doc.send(
      new PutCommand({
        TableName: config.dynamodb.tableName,
        Item: { ...newBalanceItem(userId, '2026-05-04T10:00:00.000Z') },
      }),
    );
    const at = '2026-05-04T10:00:00.000Z';
    const outcome = await repo.applyMovement({
      kind: 'deposit',
      amountCents: 250,
      expectedVersion: 0,
      balanceAfter: { userId, currentCents: 250, heldCents: 0, version: 1, updatedAt: at },
      transaction: {
        transactionId: '01JNM7Z5X0000000000000000A',
        userId,
        type: 'deposit',
        amountCents: 250,
        status: 'completed',
        description: null,
        referenceId: null,
        balanceAfterCents: 250,
        createdAt: at,
        updatedAt: at,
      },
      dailyLimit: { day: '2026-05-04', limitCents: 1_000 },
    });
    expect(outcome).toBe('applied');
    const counter = await doc.send(
      new GetCommand({
        TableName: config.dynamodb.tableName,
        Key: keys.dailyLimit(userId, 'deposit', '2026-05-04'),
        ConsistentRead: true,
      }),
    );
    expect(counter.Item).toMatchObject({ entity: 'daily_limit', used_cents: 250 });
    // Kept three days past the end of its day: 2026-05-05T00:00Z + 3 days = 2026-05-08T00:00Z.
    expect(counter.Item!.expires_at).toBe(Date.parse('2026-05-08T00:00:00.000Z') / 1000);
  });

  it('turns an unreachable DynamoDB into a 503 error, never a raw SDK error', async () => {
    const { config } = db.table;
    const down = createDynamoDbClient({
      ...config,
      dynamodb: { ...config.dynamodb, endpoint: 'http://127.0.0.1:9' },
    });
    const unreachable = new DynamoBalanceRepository(DynamoDBDocumentClient.from(down), config);
    const attempt = unreachable.getBalance('anyone');
    await expect(attempt).rejects.toBeInstanceOf(LedgerStoreUnavailableError);
    await attempt.catch((err: LedgerStoreUnavailableError) => {
      expect(err.status).toBe(503);
      expect(err.headers?.['Retry-After']).toBe('1');
    });
    const write = {
      kind: 'deposit' as const,
      amountCents: 1,
      expectedVersion: 0,
      balanceAfter: { userId: 'anyone', currentCents: 1, heldCents: 0, version: 1, updatedAt: '' },
      transaction: {
        transactionId: '01ARZ3NDEKTSV4RRFFQ69G5FAV',
        userId: 'anyone',
        type: 'deposit' as const,
        amountCents: 1,
        status: 'completed' as const,
        description: null,
        referenceId: null,
        balanceAfterCents: 1,
        createdAt: '',
        updatedAt: '',
      },
      dailyLimit: { day: '2026-01-01', limitCents: 100 },
    };
    await expect(unreachable.applyMovement(write)).rejects.toBeInstanceOf(
      LedgerStoreUnavailableError,
    );
    // A client still connected: an outage during its history query is an outage, not a hang-up.
    await expect(
      unreachable.listTransactions('anyone', { limit: 10 }, new AbortController().signal),
    ).rejects.toBeInstanceOf(LedgerStoreUnavailableError);
    down.destroy();
  });

  it('abandons a history query whose client went away while it was sent (499, not 503)', async () => {
    const { doc, config } = db.table;
    const repo = new DynamoBalanceRepository(doc, config);
    const gone = new AbortController();
    const listing = repo.listTransactions('anyone', { limit: 10 }, gone.signal);
    gone.abort(); // after the query was started: the send itself must be abandoned
    await expect(listing).rejects.toBeInstanceOf(ClientClosedRequestError);
    // Not started at all once the client is gone.
    await expect(
      repo.listTransactions('anyone', { limit: 10 }, gone.signal),
    ).rejects.toBeInstanceOf(ClientClosedRequestError);
    // The same query with the client still there answers.
    await expect(repo.listTransactions('anyone', { limit: 10 })).resolves.toEqual({
      transactions: [],
      hasMore: false,
    });
  });

  it('against a DynamoDB that never answers: a read fails with 503, a movement write is "unknown"', async () => {
    // Accepts connections and reads the requests, never answers (a hung server, a black-holed
    // network): the SDK's timeouts must fire.
    const open = new Set<Socket>();
    const blackHole = createServer((socket) => {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => undefined);
      socket.resume();
    });
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    const { config } = db.table;
    const { port } = blackHole.address() as AddressInfo;
    const hung = createDynamoDbClient({
      ...config,
      dynamodb: { ...config.dynamodb, endpoint: `http://127.0.0.1:${port}` },
    });
    try {
      const repo = new DynamoBalanceRepository(DynamoDBDocumentClient.from(hung), config);
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
    } finally {
      hung.destroy();
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => blackHole.close(() => resolve()));
    }
  }, 30_000);
});
