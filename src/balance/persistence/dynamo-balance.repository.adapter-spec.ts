import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { useTestTable } from '../../database/testing/contract-fixture';
import { createDynamoDbClient } from '../../database/dynamodb.client';
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
      expect(err.headers?.['Retry-After']).toBeDefined();
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
    down.destroy();
  });
});
