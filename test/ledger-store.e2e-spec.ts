import { DeleteTableCommand, DynamoDB } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { monotonicFactory } from 'ulid';
import type { Balance, LedgerTransaction } from '../src/balance/domain/ledger';
import { newBalanceItem } from '../src/balance/persistence/balance.item';
import type { MovementWrite } from '../src/balance/persistence/balance.repository';
import { LedgerStoreUnavailableError } from '../src/balance/persistence/dynamo-errors';
import { DynamoBalanceRepository } from '../src/balance/persistence/dynamo-balance.repository';
import type { AppConfig } from '../src/config';
import { createDynamoDbClient } from '../src/database/dynamodb.client';
import { ensureTable } from '../src/database/ensure-table';
import { keys } from '../src/database/keys';
import { assertTestTableName, testConfig, uniqueTableName } from './utils/test-app';

const newId = monotonicFactory();

/** The DynamoDB adapter of the balance port on its own, against DynamoDB Local. */
describe('DynamoBalanceRepository (DynamoDB Local)', () => {
  let config: AppConfig;
  let client: DynamoDB;
  let documents: DynamoDBDocumentClient;
  let repo: DynamoBalanceRepository;
  let n = 0;

  beforeAll(async () => {
    config = testConfig(uniqueTableName('ledger_store'));
    client = createDynamoDbClient(config);
    await ensureTable(client, config.dynamodb.tableName);
    documents = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true },
    });
    repo = new DynamoBalanceRepository(documents, config);
  });
  afterAll(async () => {
    assertTestTableName(config.dynamodb.tableName);
    await client.send(new DeleteTableCommand({ TableName: config.dynamodb.tableName }));
    client.destroy();
  });

  async function newUser(): Promise<string> {
    const userId = `store-user-${++n}`;
    await documents.send(
      new PutCommand({
        TableName: config.dynamodb.tableName,
        Item: newBalanceItem(userId, new Date().toISOString()),
      }),
    );
    return userId;
  }

  function movement(
    balance: Balance,
    kind: 'deposit' | 'withdraw',
    amountCents: number,
    extra: Partial<MovementWrite> = {},
  ): MovementWrite {
    const now = new Date().toISOString();
    const signed = kind === 'deposit' ? amountCents : -amountCents;
    const after: Balance = {
      ...balance,
      currentCents: balance.currentCents + signed,
      version: balance.version + 1,
      updatedAt: now,
    };
    const transaction: LedgerTransaction = {
      transactionId: newId(),
      userId: balance.userId,
      type: kind,
      amountCents: signed,
      status: 'completed',
      description: null,
      referenceId: null,
      balanceAfterCents: after.currentCents,
      createdAt: now,
      updatedAt: now,
    };
    return {
      kind,
      amountCents,
      expectedVersion: balance.version,
      balanceAfter: after,
      transaction,
      dailyLimit: { day: now.slice(0, 10), limitCents: 1_000_000 },
      ...extra,
    };
  }

  it('applies a movement atomically and resending the same attempt changes nothing', async () => {
    const userId = await newUser();
    const write = movement((await repo.getBalance(userId))!, 'deposit', 500);
    expect(await repo.applyMovement(write)).toBe('applied');
    expect(await repo.applyMovement(write)).toBe('applied'); // same ClientRequestToken: idempotent
    expect(await repo.getBalance(userId)).toMatchObject({ currentCents: 500, version: 1 });
    expect(await repo.listAllTransactions(userId)).toHaveLength(1);
  });

  it('maps each cancellation reason to its outcome and writes nothing', async () => {
    const userId = await newUser();
    const start = (await repo.getBalance(userId))!;
    expect(await repo.applyMovement(movement(start, 'deposit', 100))).toBe('applied');
    // Stale version.
    expect(await repo.applyMovement(movement(start, 'deposit', 100))).toBe('balance_changed');
    const current = (await repo.getBalance(userId))!;
    // Funds (the condition holds the line even if the service's check were wrong).
    expect(await repo.applyMovement(movement(current, 'withdraw', 101))).toBe('balance_changed');
    // Daily limit.
    const over = movement(current, 'deposit', 100, {
      dailyLimit: { day: new Date().toISOString().slice(0, 10), limitCents: 150 },
    });
    expect(await repo.applyMovement(over)).toBe('daily_limit_exceeded');
    // Idempotency key already used.
    const idempotency = {
      key: 'store-key',
      requestHash: 'h1',
      response: { statusCode: 201, body: '{"ok":true}' },
      ttlSeconds: 3600,
    };
    expect(await repo.applyMovement(movement(current, 'deposit', 1, { idempotency }))).toBe(
      'applied',
    );
    const again = (await repo.getBalance(userId))!;
    expect(await repo.applyMovement(movement(again, 'deposit', 1, { idempotency }))).toBe(
      'idempotency_key_exists',
    );
    expect(await repo.getBalance(userId)).toMatchObject({ currentCents: 101, version: 2 });
    expect(await repo.listAllTransactions(userId)).toHaveLength(2);
    expect(await repo.findIdempotencyRecord(userId, 'store-key')).toMatchObject({
      requestHash: 'h1',
      response: { statusCode: 201, body: '{"ok":true}' },
    });
  });

  it('treats an expired idempotency record as absent and lets it be replaced', async () => {
    const userId = await newUser();
    await documents.send(
      new PutCommand({
        TableName: config.dynamodb.tableName,
        Item: {
          ...keys.idempotency(userId, 'old'),
          request_hash: 'stale',
          status_code: 201,
          response_body: '{}',
          transaction_id: 'x',
          expires_at: Math.floor(Date.now() / 1000) - 10,
        },
      }),
    );
    expect(await repo.findIdempotencyRecord(userId, 'old')).toBeNull();
    const idempotency = {
      key: 'old',
      requestHash: 'fresh',
      response: { statusCode: 201, body: '{}' },
      ttlSeconds: 3600,
    };
    const write = movement((await repo.getBalance(userId))!, 'deposit', 5, { idempotency });
    expect(await repo.applyMovement(write)).toBe('applied');
    expect((await repo.findIdempotencyRecord(userId, 'old'))?.requestHash).toBe('fresh');
  });

  it('pages with filters across filtered-out items and honours skip', async () => {
    const userId = await newUser();
    let balance = (await repo.getBalance(userId))!;
    for (let i = 0; i < 12; i++) {
      const kind = i % 4 === 3 ? 'withdraw' : 'deposit';
      expect(await repo.applyMovement(movement(balance, kind, 10))).toBe('applied');
      balance = (await repo.getBalance(userId))!;
    }
    const withdrawals = await repo.listTransactions(userId, { limit: 2, type: 'withdraw' });
    expect(withdrawals.transactions.map((t) => t.type)).toEqual(['withdraw', 'withdraw']);
    expect(withdrawals.hasMore).toBe(true);
    const rest = await repo.listTransactions(userId, {
      limit: 5,
      type: 'withdraw',
      after: withdrawals.transactions[1].transactionId,
    });
    expect(rest.transactions).toHaveLength(1);
    expect(rest.hasMore).toBe(false);
    const all = await repo.listTransactions(userId, { limit: 100 });
    const skipped = await repo.listTransactions(userId, { limit: 3, skip: 4 });
    expect(skipped.transactions).toEqual(all.transactions.slice(4, 7));
  });

  it('lists every user with a balance or a transaction, including orphan transactions', async () => {
    const userId = await newUser();
    const orphan = `orphan-${Date.now()}`;
    await documents.send(
      new PutCommand({
        TableName: config.dynamodb.tableName,
        Item: { ...keys.transaction(orphan, newId()), transaction_id: 'x' },
      }),
    );
    const ids: string[] = [];
    for await (const id of repo.listLedgerUserIds()) ids.push(id);
    expect(ids).toEqual(expect.arrayContaining([userId, orphan]));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('turns an unreachable DynamoDB into a 503 error, never a raw SDK error', async () => {
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
    const write = movement(
      { userId: 'anyone', currentCents: 0, heldCents: 0, version: 0, updatedAt: '' },
      'deposit',
      1,
    );
    await expect(unreachable.applyMovement(write)).rejects.toBeInstanceOf(
      LedgerStoreUnavailableError,
    );
    down.destroy();
  });
});
