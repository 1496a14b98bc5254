import type { DynamoDBDocumentClient, TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { BatchGetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import pino from 'pino';
import type { Counter } from 'prom-client';
import { AppError } from '../common/errors';
import { loadConfig } from '../config';
import { MAY_HAVE_TAKEN_EFFECT } from '../database/dynamodb.client';
import { BalanceBusyError, MovementOutcomeUnknownError } from './domain/balance.errors';
import type { MovementOutcome, MovementWrite } from './persistence/balance.repository';
import { newBalanceItem } from './persistence/balance.item';
import { DynamoBalanceRepository } from './persistence/dynamo-balance.repository';
import { LedgerStoreUnavailableError } from './persistence/dynamo-errors';
import { InMemoryBalanceRepository } from './persistence/in-memory-balance.repository';
import { movementOutcome } from './persistence/movement.transaction';
import {
  MAX_ATTEMPTS,
  MovementCommand,
  MoneyMovementService,
  MOVEMENT_DEADLINE_MS,
  SETTLE_BUDGET_MS,
  SETTLE_RESENDS,
} from './money-movement.service';

const USER = 'user-1';

function setup(limits: { deposit?: string; withdraw?: string } = {}) {
  const repository = new InMemoryBalanceRepository();
  repository.seed(USER);
  return { repository, ...serviceOver(repository, limits) };
}

function serviceOver(
  repository: ConstructorParameters<typeof MoneyMovementService>[0],
  limits: { deposit?: string; withdraw?: string } = {},
) {
  const config = loadConfig({
    NODE_ENV: 'test',
    DYNAMODB_ENDPOINT: 'http://127.0.0.1:1',
    JWT_SECRET_KEY: 'unit-test-secret-0123456789abcdef',
    DAILY_DEPOSIT_LIMIT: limits.deposit ?? '10000',
    DAILY_WITHDRAW_LIMIT: limits.withdraw ?? '5000',
  });
  const counts: Record<string, number> = {};
  const counter = {
    inc: (labels: { operation: string; result: string }) => {
      const key = `${labels.operation}:${labels.result}`;
      counts[key] = (counts[key] ?? 0) + 1;
    },
  } as unknown as Counter<string>;
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'info', messageKey: 'message' },
    { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  const service = new MoneyMovementService(repository, config, counter, logger);
  return { service, config, counts, lines };
}

const cmd = (amountCents: number, extra: Partial<MovementCommand> = {}): MovementCommand => ({
  userId: USER,
  amountCents,
  description: null,
  requestId: 'req-1',
  ...extra,
});

async function expectCode(promise: Promise<unknown>, status: number, code: string): Promise<void> {
  await expect(promise).rejects.toMatchObject({ status, code });
  await promise.catch((err: unknown) => expect(err).toBeInstanceOf(AppError));
}

describe('MoneyMovementService', () => {
  it('deposits: balance, transaction with balance_after, daily counter, 201 body', async () => {
    const { repository, service } = setup();
    const result = await service.deposit(cmd(1234, { description: 'salary' }));
    expect(result.statusCode).toBe(201);
    expect(result.replayed).toBe(false);
    expect(result.body).toMatchObject({
      success: true,
      transaction: {
        transaction_type: 'deposit',
        amount: '12.34',
        status: 'completed',
        description: 'salary',
        reference_id: null,
        balance_after: '12.34',
      },
      balance: {
        user_id: USER,
        current_balance: '12.34',
        available_balance: '12.34',
        currency: 'USD',
      },
    });
    expect(result.body.transaction_id).toBe(result.body.transaction.transaction_id);
    expect(result.body.timestamp).toBe(result.body.transaction.created_at);
    expect((await repository.getBalance(USER))?.currentCents).toBe(1234);
    expect(repository.transactions.get(USER)).toHaveLength(1);
    expect([...repository.limits.values()]).toEqual([1234]);
  });

  it('records a withdrawal as a negative amount', async () => {
    const { repository, service } = setup();
    await service.deposit(cmd(1000));
    const result = await service.withdraw(cmd(250));
    expect(result.body.transaction).toMatchObject({ amount: '-2.50', balance_after: '7.50' });
    expect((await repository.getBalance(USER))?.currentCents).toBe(750);
  });

  it('rejects a withdrawal larger than the available balance and writes nothing', async () => {
    const { repository, service, counts } = setup();
    repository.seed(USER, 1000, 300);
    await expectCode(service.withdraw(cmd(701)), 422, 'insufficient_funds');
    expect(repository.applyCalls).toBe(0);
    await service.withdraw(cmd(700));
    expect((await repository.getBalance(USER))?.currentCents).toBe(300);
    expect(counts).toEqual({ 'withdraw:insufficient_funds': 1, 'withdraw:success': 1 });
  });

  it('answers 404 for a user without a balance', async () => {
    const { service } = setup();
    await expectCode(service.deposit(cmd(100, { userId: 'nobody' })), 404, 'not_found');
  });

  it('allows deposits up to the daily limit and rejects one cent more', async () => {
    const { repository, service } = setup({ deposit: '100' });
    await service.deposit(cmd(6000));
    await service.deposit(cmd(4000));
    await expectCode(service.deposit(cmd(1)), 422, 'daily_limit_exceeded');
    expect((await repository.getBalance(USER))?.currentCents).toBe(10000);
  });

  it('rejects an amount above the daily limit without writing', async () => {
    const { repository, service } = setup({ withdraw: '50' });
    repository.seed(USER, 1_000_000);
    await expectCode(service.withdraw(cmd(5001)), 422, 'daily_limit_exceeded');
    expect(repository.applyCalls).toBe(0);
  });

  it('counts deposits and withdrawals against separate limits', async () => {
    const { service } = setup({ deposit: '300', withdraw: '100' });
    await service.deposit(cmd(20000));
    await service.withdraw(cmd(10000));
    await expectCode(service.withdraw(cmd(1)), 422, 'daily_limit_exceeded');
    await service.deposit(cmd(1));
  });

  describe('Idempotency-Key', () => {
    it('replays the first response for the same key and body and changes nothing', async () => {
      const { repository, service, counts } = setup();
      const first = await service.deposit(cmd(500, { idempotencyKey: 'k1' }));
      const again = await service.deposit(cmd(500, { idempotencyKey: 'k1', requestId: 'req-2' }));
      expect(again.replayed).toBe(true);
      expect(again.statusCode).toBe(201);
      expect(again.body).toEqual(first.body);
      expect((await repository.getBalance(USER))?.currentCents).toBe(500);
      expect(counts).toEqual({ 'deposit:success': 1, 'deposit:replayed': 1 });
    });

    it('treats a different amount, description or operation under one key as reuse (422)', async () => {
      const { repository, service } = setup();
      await service.deposit(cmd(500, { idempotencyKey: 'k1' }));
      await expectCode(
        service.deposit(cmd(501, { idempotencyKey: 'k1' })),
        422,
        'idempotency_key_reused',
      );
      await expectCode(
        service.deposit(cmd(500, { idempotencyKey: 'k1', description: 'x' })),
        422,
        'idempotency_key_reused',
      );
      await expectCode(
        service.withdraw(cmd(500, { idempotencyKey: 'k1' })),
        422,
        'idempotency_key_reused',
      );
      expect((await repository.getBalance(USER))?.currentCents).toBe(500);
    });

    it('scopes keys per user', async () => {
      const { repository, service } = setup();
      repository.seed('user-2');
      await service.deposit(cmd(500, { idempotencyKey: 'k1' }));
      const other = await service.deposit(cmd(700, { userId: 'user-2', idempotencyKey: 'k1' }));
      expect(other.replayed).toBe(false);
      expect((await repository.getBalance('user-2'))?.currentCents).toBe(700);
    });

    it('replays when a concurrent twin with the same key wins the race', async () => {
      const { repository, service } = setup();
      let twin: Promise<unknown> | undefined;
      repository.beforeApply = async (_write, call) => {
        if (call === 1) {
          twin = service.deposit(cmd(500, { idempotencyKey: 'k1', requestId: 'twin' }));
          await twin;
        }
      };
      const result = await service.deposit(cmd(500, { idempotencyKey: 'k1' }));
      expect(result.replayed).toBe(true);
      expect(result.body).toEqual(((await twin) as { body: unknown }).body);
      expect((await repository.getBalance(USER))?.currentCents).toBe(500);
    });

    it('replays instead of insufficient_funds when the twin already spent the money', async () => {
      const { repository, service } = setup();
      repository.seed(USER, 500);
      const first = await service.withdraw(cmd(500, { idempotencyKey: 'w1' }));
      // A twin that read the record before the first committed now sees the funds gone.
      let calls = 0;
      const find = repository.findIdempotencyRecord.bind(repository);
      repository.findIdempotencyRecord = async (u, k) => (++calls === 1 ? null : find(u, k));
      const twin = await service.withdraw(cmd(500, { idempotencyKey: 'w1' }));
      expect(twin.replayed).toBe(true);
      expect(twin.body.transaction_id).toBe(first.body.transaction_id);
    });
  });

  it('retries against the fresh balance when another write landed in between', async () => {
    const { repository, service } = setup();
    repository.beforeApply = async (_write, call) => {
      if (call === 1) await service.deposit(cmd(100));
    };
    const result = await service.deposit(cmd(200));
    expect(result.body.transaction.balance_after).toBe('3.00');
    expect((await repository.getBalance(USER))?.currentCents).toBe(300);
    expect(repository.transactions.get(USER)).toHaveLength(2);
  });

  it('turns a lost race that drained the funds into insufficient_funds', async () => {
    const { repository, service } = setup();
    repository.seed(USER, 100);
    repository.beforeApply = async (_write, call) => {
      if (call === 1) await service.withdraw(cmd(100));
    };
    await expectCode(service.withdraw(cmd(100)), 422, 'insufficient_funds');
    expect((await repository.getBalance(USER))?.currentCents).toBe(0);
  });

  it('gives up with 503 and Retry-After when every attempt is contended', async () => {
    const { repository, service, counts, lines } = setup();
    repository.beforeApply = () => 'contended';
    const promise = service.deposit(cmd(100));
    await expect(promise).rejects.toBeInstanceOf(BalanceBusyError);
    await promise.catch((err: BalanceBusyError) => {
      expect(err.status).toBe(503);
      expect(err.code).toBe('service_unavailable');
      expect(err.headers).toEqual({ 'Retry-After': '1' });
    });
    expect(repository.applyCalls).toBe(MAX_ATTEMPTS);
    expect(counts).toEqual({ 'deposit:service_unavailable': 1 });
    expect(lines.some((l) => l.message === 'balance busy: optimistic retries exhausted')).toBe(
      true,
    );
  });

  it('lets an error that is not an AppError (a bug) through, counted as "error"', async () => {
    const { repository, service, counts } = setup();
    const bug = new TypeError('not a function');
    repository.getBalance = () => Promise.reject(bug);
    await expect(service.withdraw(cmd(100))).rejects.toBe(bug);
    expect(counts).toEqual({ 'withdraw:error': 1 });
  });

  it('plans no new attempt after the request deadline: 503, a bounded number of writes', async () => {
    jest.useFakeTimers();
    try {
      const { repository, service, lines } = setup();
      const writes: string[] = [];
      // A slow store whose balance always moved on: every attempt takes 1 s and loses the race.
      repository.beforeApply = async (write): Promise<MovementOutcome> => {
        writes.push(write.transaction.transactionId);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        return 'balance_changed';
      };
      const started = Date.now();
      const promise = service.deposit(cmd(100));
      const settled = expect(promise).rejects.toMatchObject({
        status: 503,
        code: 'service_unavailable',
        headers: { 'Retry-After': '1' },
      });
      await jest.runAllTimersAsync();
      await settled;
      await promise.catch((err: unknown) => expect(err).toBeInstanceOf(BalanceBusyError));
      const elapsed = Date.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(MOVEMENT_DEADLINE_MS);
      expect(elapsed).toBeLessThan(MOVEMENT_DEADLINE_MS + 1_200);
      // One write per started second, none after the deadline (MAX_ATTEMPTS would allow 24).
      expect(writes.length).toBeLessThanOrEqual(MOVEMENT_DEADLINE_MS / 1_000 + 1);
      expect(writes.length).toBeLessThan(MAX_ATTEMPTS);
      expect(repository.transactions.get(USER) ?? []).toHaveLength(0);
      expect(lines.filter((l) => l.message === 'balance busy: request deadline passed')).toEqual([
        expect.objectContaining({
          level: 40,
          user_id: USER,
          operation: 'deposit',
          request_id: cmd(100).requestId,
          attempts: writes.length,
        }),
      ]);
    } finally {
      jest.useRealTimers();
    }
  });

  describe('a write whose outcome the store did not report', () => {
    /** What DynamoDB answers a same-token resend while the first send is still being processed. */
    const inProgress = () =>
      Object.assign(new Error('Transaction is ongoing for the idempotency token'), {
        name: 'TransactionInProgressException',
        $metadata: { httpStatusCode: 400, attempts: 3 },
      });

    /** Every write the service sent, in order (resends included). */
    const recordWrites = (repository: InMemoryBalanceRepository) => {
      const writes: MovementWrite[] = [];
      const apply = repository.applyMovement.bind(repository);
      repository.applyMovement = (write) => {
        writes.push(write);
        return apply(write);
      };
      return writes;
    };

    afterEach(() => jest.useRealTimers());

    it('applies a deposit without a key once when its send commits but reports TransactionInProgressException', async () => {
      const { repository, service } = setup();
      repository.beforeApply = async (write, call) => {
        if (call !== 1) return;
        // DynamoDB commits the first send; the SDK's same-token retry of it is told it is in progress.
        expect(await repository.applyMovement(write)).toBe('applied');
        return movementOutcome(inProgress(), write);
      };
      const result = await service.deposit(cmd(500));
      expect(result.statusCode).toBe(201);
      expect(repository.transactions.get(USER)).toHaveLength(1);
      expect((await repository.getBalance(USER))?.currentCents).toBe(500);
      expect(result.body.transaction_id).toBe(repository.transactions.get(USER)![0].transactionId);
    });

    it('resends only the same write, and answers its response once it is found applied', async () => {
      const { repository, service, lines } = setup();
      repository.seed(USER, 1000);
      const writes = recordWrites(repository);
      repository.beforeApply = async (write, call) => {
        if (call === 1) return 'unknown'; // timed out before it landed
        if (call === 2) {
          await repository.applyMovement(write); // call 3: it lands now ...
          return 'unknown'; // ... while this resend is still told "in progress"
        }
      };
      const result = await service.withdraw(cmd(300));
      // First send; a resend, during which the first lands (nested call); a resend that finds its
      // own transaction item.
      expect(writes).toHaveLength(4);
      expect(new Set(writes.map((w) => w.transaction.transactionId)).size).toBe(1);
      expect(result.body.transaction_id).toBe(writes[0].transaction.transactionId);
      expect(repository.transactions.get(USER)).toHaveLength(1);
      expect((await repository.getBalance(USER))?.currentCents).toBe(700);
      expect(lines.filter((l) => l.event === 'balance.money_movement')).toHaveLength(1);
    });

    it('plans a new write once a resend proves the first did not land', async () => {
      const { repository, service } = setup();
      const writes = recordWrites(repository);
      repository.beforeApply = async (_write, call) => {
        if (call !== 1) return;
        // The first send never landed; meanwhile another deposit moved the version.
        await service.deposit(cmd(100, { requestId: 'other' }));
        return 'unknown';
      };
      const result = await service.deposit(cmd(200));
      // First write, the competitor's, the resend of the first (balance_changed), a fresh write.
      expect(writes.map((w) => w.transaction.amountCents)).toEqual([200, 100, 200, 200]);
      expect(writes[2].transaction.transactionId).toBe(writes[0].transaction.transactionId);
      expect(writes[3].transaction.transactionId).not.toBe(writes[0].transaction.transactionId);
      expect(result.body.transaction.balance_after).toBe('3.00');
      expect(repository.transactions.get(USER)).toHaveLength(2);
      expect((await repository.getBalance(USER))?.currentCents).toBe(300);
    });

    it('answers 503 without ever writing anything new when the outcome cannot be settled', async () => {
      jest.useFakeTimers();
      const { repository, service, counts, lines } = setup();
      const writes = recordWrites(repository);
      let landed = false;
      repository.beforeApply = async (write, call) => {
        if (call === 1) {
          landed = (await repository.applyMovement(write)) === 'applied'; // call 2
          return 'unknown';
        }
        if (call === 2) return;
        if (call % 2) return 'unknown'; // still in progress ...
        throw new LedgerStoreUnavailableError(new Error('connect ECONNREFUSED')); // ... or unreachable
      };
      const promise = service.deposit(cmd(500));
      const settled = expect(promise).rejects.toMatchObject({
        status: 503,
        code: 'service_unavailable',
        headers: { 'Retry-After': '1' },
      });
      await jest.runAllTimersAsync();
      await settled;
      expect(landed).toBe(true);
      const ids = new Set(writes.map((w) => w.transaction.transactionId));
      expect(ids.size).toBe(1);
      expect(writes).toHaveLength(2 + SETTLE_RESENDS); // first send, its commit, the resends
      expect(repository.transactions.get(USER)).toHaveLength(1);
      expect((await repository.getBalance(USER))?.currentCents).toBe(500);
      expect(counts).toEqual({ 'deposit:service_unavailable': 1 });
      // Unreachable or still in progress is not a bad request: no bug is logged.
      expect(lines.filter((l) => String(l.message).includes('(a bug)'))).toEqual([]);
      expect(
        lines.find((l) => String(l.message).startsWith('money movement outcome unknown')),
      ).toMatchObject({ level: 50, transaction_id: [...ids][0], user_id: USER });
    });

    it('sends no resend once the settle budget ran out during the wait before it', async () => {
      jest.useFakeTimers();
      const { repository, service } = setup();
      const writes = recordWrites(repository);
      repository.beforeApply = async (_write, call): Promise<MovementOutcome> => {
        // The first send takes all but 10 ms of the budget; the wait before the first resend
        // (at least 12.5 ms) crosses it.
        if (call === 1) await new Promise((resolve) => setTimeout(resolve, SETTLE_BUDGET_MS - 10));
        return 'unknown';
      };
      const promise = service.deposit(cmd(500));
      const settled = expect(promise).rejects.toBeInstanceOf(MovementOutcomeUnknownError);
      await jest.runAllTimersAsync();
      await settled;
      expect(writes).toHaveLength(1);
    });

    /** The answer to the repository's (coalesced) balance read: the user's zero balance. */
    const balanceRead = (command: BatchGetCommand) => {
      const table = Object.keys(command.input.RequestItems ?? {})[0];
      return { Responses: { [table]: [newBalanceItem(USER, '2025-01-01T00:00:00.000Z')] } };
    };
    /** A DynamoBalanceRepository over a stubbed client: the balance exists, writes go to `write`. */
    const dynamoService = (write: (input: TransactWriteCommandInput, n: number) => unknown) => {
      const sent: TransactWriteCommandInput[] = [];
      const send = jest.fn(async (command: unknown) => {
        if (command instanceof BatchGetCommand) return balanceRead(command);
        if (command instanceof TransactWriteCommand) {
          sent.push(command.input);
          return write(command.input, sent.length);
        }
        throw new Error('unexpected command');
      });
      const db = { send } as unknown as DynamoDBDocumentClient;
      const config = loadConfig({
        NODE_ENV: 'test',
        DYNAMODB_ENDPOINT: 'http://127.0.0.1:1',
        JWT_SECRET_KEY: 'unit-test-secret-0123456789abcdef',
      });
      const gets = () => send.mock.calls.filter(([c]) => c instanceof BatchGetCommand).length;
      return { sent, gets, ...serviceOver(new DynamoBalanceRepository(db, config)) };
    };
    /** A TransactionCanceledException as the SDK client marks it over all of its sends. */
    const cancelled = (mayHaveTakenEffect: boolean, ...codes: string[]) =>
      Object.assign(new Error('Transaction cancelled'), {
        name: 'TransactionCanceledException',
        $metadata: { httpStatusCode: 400 },
        CancellationReasons: codes.map((Code) => ({ Code })),
        [MAY_HAVE_TAKEN_EFFECT]: mayHaveTakenEffect,
      });
    const txId = (input: TransactWriteCommandInput) =>
      input.TransactItems![1].Put!.Item!.SK as string;

    it('with DynamoDB: settles a conflict that followed a timed-out send with the same write, never a new one', async () => {
      const { sent, gets, service } = dynamoService((_input, n) => {
        // Send 1 timed out (it may land later); the SDK's same-token send 2 met a conflict.
        if (n === 1) throw cancelled(true, 'TransactionConflict', 'None', 'None');
        // Resend: conflicts again (only this send was answered) ...
        if (n === 2) throw cancelled(false, 'TransactionConflict', 'None', 'None');
        // ... then finds its own transaction item: send 1 landed after all.
        throw cancelled(false, 'ConditionalCheckFailed', 'ConditionalCheckFailed', 'None');
      });
      const result = await service.deposit(cmd(500));
      expect(result.statusCode).toBe(201);
      expect(sent).toHaveLength(3);
      expect(new Set(sent.map(txId)).size).toBe(1);
      expect(new Set(sent.map((input) => input.ClientRequestToken)).size).toBe(1);
      expect(sent[2]).toEqual(sent[0]);
      expect(result.body.transaction_id).toBe(txId(sent[0]).replace(/^TX#/, ''));
      expect(gets()).toBe(1); // no new attempt was planned
    });

    it('with DynamoDB: keeps settling through resends rejected as bad requests, logs the bug once, answers 503', async () => {
      jest.useFakeTimers();
      const bad = (name: string, mayHaveTakenEffect: boolean) =>
        Object.assign(new Error(name), {
          name,
          $metadata: { httpStatusCode: 400 },
          [MAY_HAVE_TAKEN_EFFECT]: mayHaveTakenEffect,
        });
      const { sent, gets, service, counts, lines } = dynamoService((_input, n) => {
        if (n === 1) throw bad('TimeoutError', true); // may have landed
        if (n === 2) throw bad('ValidationException', false); // rethrown as is by the repository
        if (n === 3) throw bad('IdempotentParameterMismatchException', false); // wrapped as a 503
        throw bad('SerializationException', false);
      });
      const promise = service.deposit(cmd(500));
      const settled = expect(promise).rejects.toBeInstanceOf(MovementOutcomeUnknownError);
      await jest.runAllTimersAsync();
      await settled;
      await promise.catch((err: MovementOutcomeUnknownError) => {
        expect(err.status).toBe(503);
        expect(err.code).toBe('service_unavailable');
      });
      expect(sent).toHaveLength(1 + SETTLE_RESENDS);
      expect(new Set(sent.map(txId)).size).toBe(1);
      expect(gets()).toBe(1);
      expect(counts).toEqual({ 'deposit:service_unavailable': 1 });
      const transactionId = txId(sent[0]).replace(/^TX#/, '');
      const bugs = lines.filter((l) => String(l.message).includes('(a bug)'));
      expect(bugs).toHaveLength(1);
      expect(bugs[0]).toMatchObject({
        level: 50,
        transaction_id: transactionId,
        error: 'ValidationException',
      });
      expect(
        lines.find((l) => String(l.message).startsWith('money movement outcome unknown')),
      ).toMatchObject({ level: 50, transaction_id: transactionId });
    });

    it('with DynamoDB: a resend rejected as IdempotentParameterMismatchException is logged as a bug, then settled', async () => {
      const { sent, service, lines } = dynamoService((_input, n) => {
        if (n === 1) {
          throw Object.assign(new Error('timed out'), {
            name: 'TimeoutError',
            [MAY_HAVE_TAKEN_EFFECT]: true,
          });
        }
        if (n === 2) {
          throw Object.assign(new Error('mismatch'), {
            name: 'IdempotentParameterMismatchException',
            $metadata: { httpStatusCode: 400 },
            [MAY_HAVE_TAKEN_EFFECT]: false,
          });
        }
        return {}; // the same token: DynamoDB reports the landed write as a success
      });
      const result = await service.deposit(cmd(500));
      expect(result.statusCode).toBe(201);
      expect(sent).toHaveLength(3);
      expect(new Set(sent.map(txId)).size).toBe(1);
      expect(lines.filter((l) => String(l.message).includes('(a bug)'))).toEqual([
        expect.objectContaining({ level: 50, error: 'IdempotentParameterMismatchException' }),
      ]);
    });

    it('with DynamoDB: resends the identical TransactWriteItems after TransactionInProgressException', async () => {
      const { sent, gets, service } = dynamoService((_input, n) => {
        if (n === 1) throw inProgress();
        return {};
      });
      const result = await service.deposit(cmd(500));
      expect(result.statusCode).toBe(201);
      expect(sent).toHaveLength(2);
      expect(sent[1]).toEqual(sent[0]);
      expect(sent[0].ClientRequestToken).toMatch(/^[A-Za-z0-9_-]{36}$/);
      expect(gets()).toBe(1);
    });
  });

  it('writes one audit line per money movement with user, amount, transaction and request id', async () => {
    const { service, lines } = setup();
    const result = await service.deposit(
      cmd(4200, { idempotencyKey: 'a', actor: { userId: 'admin-1', role: 'admin' } }),
    );
    await service.deposit(cmd(4200, { idempotencyKey: 'a' }));
    const audit = lines.filter((l) => l.event === 'balance.money_movement');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      operation: 'deposit',
      user_id: USER,
      amount: '42.00',
      transaction_id: result.body.transaction_id,
      request_id: 'req-1',
      actor_id: 'admin-1',
      actor_role: 'admin',
    });
  });
});

describe('MoneyMovementService: what a movement writes', () => {
  it('writes the next balance version, and the stored balance carries it', async () => {
    const { repository, service } = setup();
    const writes: MovementWrite[] = [];
    repository.beforeApply = (write) => void writes.push(write);
    await service.deposit(cmd(100));
    await service.deposit(cmd(100));
    expect(writes.map((w) => [w.expectedVersion, w.balanceAfter.version])).toEqual([
      [0, 1],
      [1, 2],
    ]);
  });

  it('uses the balance the guard already read for the first attempt only, then reads afresh', async () => {
    const { repository, service } = setup();
    repository.seed(USER, 1_000);
    const preRead = (await repository.getBalance(USER))!;
    const reads = jest.spyOn(repository, 'getBalance');
    // Unchanged since the guard's read: no read of its own.
    await service.deposit(cmd(100, { balanceRead: Promise.resolve(preRead) }));
    expect(reads).not.toHaveBeenCalled();
    // Stale by now (the deposit above moved the version): the retry reads the fresh balance.
    const result = await service.deposit(cmd(100, { balanceRead: Promise.resolve(preRead) }));
    expect(reads).toHaveBeenCalledTimes(1);
    expect(result.body.transaction.balance_after).toBe('12.00');
  });

  it('adjustments have no daily limit and write no daily counter', async () => {
    const { repository, service } = setup({ deposit: '10' });
    const writes: MovementWrite[] = [];
    repository.beforeApply = (write) => void writes.push(write);
    const result = await service.adjust(cmd(50_000_00));
    expect(result.body.balance.current_balance).toBe('50000.00');
    expect(writes[0].dailyLimit).toBeUndefined();
    await service.deposit(cmd(1_000));
    expect(writes[1].dailyLimit).toEqual({
      day: writes[1].transaction.createdAt.slice(0, 10),
      limitCents: 1_000,
    });
  });

  it('names the operation, amount and user in the audit message and the busy warnings', async () => {
    const { repository, service, lines } = setup();
    repository.seed(USER, 500);
    await service.withdraw(cmd(250));
    expect(lines.find((l) => l.event === 'balance.money_movement')?.message).toBe(
      'audit: withdraw 2.50 USD',
    );
    repository.beforeApply = () => 'contended';
    await service.deposit(cmd(100)).catch(() => undefined);
    expect(
      lines.find((l) => l.message === 'balance busy: optimistic retries exhausted'),
    ).toMatchObject({
      user_id: USER,
      operation: 'deposit',
      request_id: 'req-1',
    });
  });
});

describe('MoneyMovementService daily limits and the clock', () => {
  it('counts the daily limit per UTC day of the injected clock: a new day starts at midnight', async () => {
    const repository = new InMemoryBalanceRepository();
    repository.seed(USER);
    const { config } = serviceOver(repository, { deposit: '100' });
    let now = Date.parse('2026-03-04T23:59:59.999Z');
    const service = new MoneyMovementService(
      repository,
      config,
      { inc: () => undefined } as unknown as Counter<string>,
      pino({ level: 'silent' }),
      { now: () => now },
    );
    const first = await service.deposit(cmd(10_000));
    expect(first.body.transaction.created_at).toBe('2026-03-04T23:59:59.999Z');
    await expectCode(service.deposit(cmd(1)), 422, 'daily_limit_exceeded');
    now = Date.parse('2026-03-05T00:00:00.000Z');
    const next = await service.deposit(cmd(10_000));
    expect(next.statusCode).toBe(201);
    await expectCode(service.deposit(cmd(1)), 422, 'daily_limit_exceeded');
  });
});
