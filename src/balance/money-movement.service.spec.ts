import pino from 'pino';
import type { Counter } from 'prom-client';
import { AppError } from '../common/errors';
import { loadConfig } from '../config';
import { BalanceBusyError } from './domain/balance.errors';
import { InMemoryBalanceRepository } from './persistence/in-memory-balance.repository';
import { MAX_ATTEMPTS, MovementCommand, MoneyMovementService } from './money-movement.service';

const USER = 'user-1';

function setup(limits: { deposit?: string; withdraw?: string } = {}) {
  const repository = new InMemoryBalanceRepository();
  repository.seed(USER);
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
  return { repository, service, counts, lines };
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
