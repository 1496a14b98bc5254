import { createHash } from 'node:crypto';
import { Counter } from 'prom-client';
import type { Logger } from '../../common/logging/logger';
import { ServiceUnavailableError } from '../../common/errors';
import { formatQuantity, MAX_HOLDING_UNITS } from '../../common/money';
import type { Balance, LedgerTransaction } from '../domain/ledger';
import type { BalanceRepository } from '../persistence/balance.repository';
import type {
  Holding,
  OrderLedgerRepository,
  OrderRecord,
} from '../persistence/order-ledger.repository';
import {
  AmountExceedsHoldError,
  HoldingLimitError,
  InsufficientHoldingsError,
  TransactionNotPendingError,
} from './order.errors';
import { OrderSettlementService } from './order-settlement.service';

/**
 * A pending order payment (a hold of `cents`) of `userId` for order `o-<n>`, with a transaction id
 * ending in `n`, made on 2026-01-01 by a balance of 10.00.
 */
function pendingPayment(
  userId: string,
  n: string,
  cents: number,
  expiresAt: string,
  description: string | null = `Hold for order o-${n}`,
): LedgerTransaction {
  const at = '2026-01-01T00:00:00.000Z';
  return {
    transactionId: `01JJ${n.padStart(22, '0')}`,
    userId,
    type: 'order_payment',
    amountCents: -cents,
    status: 'pending',
    description,
    referenceId: `o-${n}`,
    balanceAfterCents: 1000,
    createdAt: at,
    updatedAt: at,
    hold: { cents, expiresAt },
  };
}

/** A fresh, unregistered counter of order operations, as the service is given. */
function operationsCounter(): Counter<string> {
  return new Counter({
    name: `order_ops_${Math.random().toString(36).slice(2)}`,
    help: 'h',
    labelNames: ['operation', 'result'],
    registers: [],
  });
}

/** A logger that keeps what it was given, and a counter whose values can be read back. */
function recorded() {
  const lines: Array<{ level: string; fields: Record<string, unknown>; message: string }> = [];
  const at =
    (level: string) =>
    (fields: Record<string, unknown>, message: string): void =>
      void lines.push({ level, fields, message });
  const logger = {
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    debug: at('debug'),
  } as unknown as Logger;
  const counter = operationsCounter();
  const counts = async () =>
    Object.fromEntries(
      (await counter.get()).values.map((v) => [
        `${v.labels.operation}:${v.labels.result}`,
        v.value,
      ]),
    );
  return { lines, logger, counter, counts };
}

/**
 * A twin of a hold or sell (same order_id, same body) reads the balance / holding and the order
 * record in parallel. When the winner commits between those two reads, the twin sees the order as
 * unused but the money / asset as already taken: it must still replay the winner, not answer 422.
 */
describe('OrderSettlementService: a twin that reads between the winner’s effects', () => {
  const userId = '6f1c1c1e-0000-4000-8000-000000000002';
  const at = '2026-01-01T00:00:00.000Z';
  const logger = { info() {}, warn() {}, error() {}, debug() {} } as unknown as Logger;
  const counter = operationsCounter;

  /** The store as the twin sees it: the winner has committed, except that the first order read missed it. */
  function twinView(
    winner: LedgerTransaction,
    hashParts: readonly unknown[],
    balance: Balance,
    holding: Holding | null,
  ) {
    let orderReads = 0;
    const record: OrderRecord = {
      orderId: winner.referenceId ?? '',
      requestHash: createHash('sha256').update(JSON.stringify(hashParts)).digest('hex'),
      transactionId: winner.transactionId,
    };
    const balances = {
      getBalance: () => Promise.resolve(balance),
    } as unknown as BalanceRepository;
    const orders = {
      findOrder: () => Promise.resolve(orderReads++ === 0 ? null : record),
      getTransaction: () => Promise.resolve(winner),
      getHolding: () => Promise.resolve(holding),
      applyOrderWrite: () => Promise.reject(new Error('the twin must not write')),
    } as unknown as OrderLedgerRepository;
    return { balances, orders };
  }

  it('hold: available already taken by the winner → 201 replay of the winner', async () => {
    const winner = pendingPayment(userId, '1', 700, at);
    const balance: Balance = {
      userId,
      currentCents: 1000,
      heldCents: 700,
      version: 2,
      updatedAt: at,
    };
    const { balances, orders } = twinView(winner, ['order.hold', userId, 700], balance, null);
    const service = new OrderSettlementService(balances, orders, counter(), logger);
    const result = await service.hold({
      userId,
      orderId: 'o-1',
      amountCents: 700,
      expiresInSeconds: 900,
    });
    expect(result).toMatchObject({ statusCode: 201, replayed: true });
    expect(result.body.transaction.transaction_id).toBe(winner.transactionId);
  });

  it('sell: holding already taken by the winner → 201 replay of the winner', async () => {
    const winner: LedgerTransaction = {
      transactionId: '01JJ0000000000000000000002',
      userId,
      type: 'order_sale',
      amountCents: 300,
      status: 'completed',
      description: 'Sale',
      referenceId: 'o-2',
      balanceAfterCents: 1300,
      createdAt: at,
      updatedAt: at,
      asset: { assetId: 'ADA', quantityUnits: -200_000_000 },
    };
    const balance: Balance = {
      userId,
      currentCents: 1300,
      heldCents: 0,
      version: 3,
      updatedAt: at,
    };
    const holding: Holding = { userId, assetId: 'ADA', quantityUnits: 0, updatedAt: at };
    const { balances, orders } = twinView(
      winner,
      ['order.sell', userId, 'ADA', 200_000_000, 300],
      balance,
      holding,
    );
    const service = new OrderSettlementService(balances, orders, counter(), logger);
    const result = await service.sell({
      userId,
      orderId: 'o-2',
      assetId: 'ADA',
      quantityUnits: 200_000_000,
      proceedsCents: 300,
    });
    expect(result).toMatchObject({ statusCode: 201, replayed: true });
    expect(result.body.transaction.transaction_id).toBe(winner.transactionId);
  });
});

describe('OrderSettlementService.releaseExpired: one bad entry never blocks the others', () => {
  const at = '2026-01-01T00:00:00.000Z';
  const logger = { info() {}, warn() {}, error() {}, debug() {} } as unknown as Logger;
  const user = (n: number) => `6f1c1c1e-0000-4000-8000-00000000001${n}`;
  const hold = (n: number) => pendingPayment(user(n), String(n), 100, at, null);

  it('forgets stale index entries, skips a hold it cannot release, and releases the rest', async () => {
    // 1: the transaction is gone (stale entry); 2: no balance (cannot release); 3: releasable.
    const entries = [1, 2, 3].map((n) => ({
      userId: user(n),
      transactionId: hold(n).transactionId,
      expiresAt: at,
    }));
    const forgotten: string[] = [];
    const written: string[] = [];
    const orders = {
      listExpiredHolds: () => Promise.resolve(entries),
      getTransaction: (_u: string, id: string) =>
        Promise.resolve(
          id === hold(1).transactionId
            ? null
            : ([hold(2), hold(3)].find((h) => h.transactionId === id) ?? null),
        ),
      forgetExpiredHold: (e: { transactionId: string }) => {
        forgotten.push(e.transactionId);
        return Promise.resolve();
      },
      applyOrderWrite: (w: { transaction: LedgerTransaction }) => {
        written.push(w.transaction.transactionId);
        return Promise.resolve('applied');
      },
    } as unknown as OrderLedgerRepository;
    const balances = {
      getBalance: (u: string) =>
        Promise.resolve(
          u === user(2)
            ? null
            : { userId: u, currentCents: 1000, heldCents: 100, version: 1, updatedAt: at },
        ),
    } as unknown as BalanceRepository;
    const service = new OrderSettlementService(balances, orders, operationsCounter(), logger);
    const summary = await service.releaseExpired(new Date('2026-01-02T00:00:00.000Z'));
    expect(summary).toEqual({ examined: 3, released: 1 });
    expect(forgotten).toEqual([hold(1).transactionId]);
    expect(written).toEqual([hold(3).transactionId]);
  });
});

/**
 * The reads said yes, then the write's own condition said no (another request changed the hold or
 * the holding in between): each refusal must reach the client as its own error, nothing else.
 */
describe('OrderSettlementService: a write its condition refused after the reads allowed it', () => {
  const userId = '6f1c1c1e-0000-4000-8000-000000000031';
  const at = '2026-01-01T00:00:00.000Z';
  const logger = { info() {}, warn() {}, error() {}, debug() {} } as unknown as Logger;
  const pending = pendingPayment(userId, '31', 500, '2999-01-01T00:00:00.000Z');

  function refusing(outcome: string, holdingUnits = 10, tx: LedgerTransaction = pending) {
    const writes: string[] = [];
    const balances = {
      getBalance: () =>
        Promise.resolve({ userId, currentCents: 1000, heldCents: 500, version: 3, updatedAt: at }),
    } as unknown as BalanceRepository;
    const orders = {
      getTransaction: () => Promise.resolve(tx),
      getHolding: () => Promise.resolve({ assetId: 'ACME', quantityUnits: holdingUnits }),
      listExpiredHolds: () =>
        Promise.resolve([
          { userId, transactionId: tx.transactionId, expiresAt: tx.hold?.expiresAt },
        ]),
      findOrder: () => Promise.resolve(null),
      applyOrderWrite: () => {
        writes.push(outcome);
        return Promise.resolve(outcome);
      },
    } as unknown as OrderLedgerRepository;
    const service = new OrderSettlementService(balances, orders, operationsCounter(), logger);
    return { service, writes };
  }

  it.each([
    ['the hold resolved meanwhile', 'not_pending', 10, TransactionNotPendingError, ['not_pending']],
    ['the holding grew meanwhile', 'holding_limit', 10, HoldingLimitError, ['holding_limit']],
    ['the holding already at the limit', 'applied', MAX_HOLDING_UNITS, HoldingLimitError, []],
  ])('complete refused when %s', async (_, outcome, holdingUnits, error, writesMade) => {
    const { service, writes } = refusing(outcome as string, holdingUnits as number);
    await expect(
      service.complete({
        userId,
        transactionId: pending.transactionId,
        asset: { assetId: 'ACME', quantityUnits: 1 },
      }),
    ).rejects.toBeInstanceOf(error);
    expect(writes).toEqual(writesMade);
  });

  it('complete: a hold already resolved is refused (409) before any write', async () => {
    const { service, writes } = refusing('applied', 10, { ...pending, status: 'completed' });
    await expect(
      service.complete({ userId, transactionId: pending.transactionId }),
    ).rejects.toBeInstanceOf(TransactionNotPendingError);
    expect(writes).toEqual([]);
  });

  it('release: a hold expires at its expiry instant, not a millisecond later', async () => {
    const { service, writes } = refusing('applied');
    const expiry = new Date(pending.hold!.expiresAt);
    await expect(service.releaseExpired(expiry)).resolves.toEqual({ examined: 1, released: 1 });
    expect(writes).toEqual(['applied']);
  });

  it('sell: insufficient_holdings → InsufficientHoldingsError, after one write', async () => {
    const { service, writes } = refusing('insufficient_holdings');
    await expect(
      service.sell({
        userId,
        orderId: 'sell-31',
        assetId: 'ACME',
        quantityUnits: 5,
        proceedsCents: 100,
      }),
    ).rejects.toBeInstanceOf(InsufficientHoldingsError);
    expect(writes).toEqual(['insufficient_holdings']);
  });
});

describe('OrderSettlementService.releaseExpired: errors that stop the batch, errors that skip a hold', () => {
  const at = '2026-01-01T00:00:00.000Z';
  const entry = (n: number) => ({
    userId: `6f1c1c1e-0000-4000-8000-00000000004${n}`,
    transactionId: `01JJ000000000000000000004${n}`,
    expiresAt: at,
  });

  function releasing(failure: (n: number) => Error | null) {
    const { lines, logger, counter, counts } = recorded();
    const read: number[] = [];
    const orders = {
      listExpiredHolds: () => Promise.resolve([1, 2].map(entry)),
      getTransaction: (_u: string, id: string) => {
        const n = [1, 2].find((k) => entry(k).transactionId === id)!;
        read.push(n);
        const err = failure(n);
        return err ? Promise.reject(err) : Promise.resolve(null);
      },
      forgetExpiredHold: () => Promise.resolve(),
    } as unknown as OrderLedgerRepository;
    const balances = {
      getBalance: () => Promise.resolve(null),
    } as unknown as BalanceRepository;
    const service = new OrderSettlementService(balances, orders, counter, logger);
    return { service, read, lines, counts };
  }

  it('stops at a store outage (503): the next hold is not tried', async () => {
    const outage = new ServiceUnavailableError('down', 1);
    const { service, read, counts } = releasing(() => outage);
    await expect(service.releaseExpired(new Date('2026-01-02T00:00:00.000Z'))).rejects.toBe(outage);
    expect(read).toEqual([1]);
    expect(await counts()).toEqual({ 'release_expired:service_unavailable': 1 });
  });

  it('stops at an error that is not an AppError (a bug), counted as "error"', async () => {
    const bug = new TypeError('not a function');
    const { service, read, counts } = releasing(() => bug);
    await expect(service.releaseExpired(new Date('2026-01-02T00:00:00.000Z'))).rejects.toBe(bug);
    expect(read).toEqual([1]);
    expect(await counts()).toEqual({ 'release_expired:error': 1 });
  });

  it('skips a hold refused with a 4xx, with a warning naming it, and goes on', async () => {
    const { service, read, lines } = releasing((n) =>
      n === 1 ? new AmountExceedsHoldError('1.00') : null,
    );
    await expect(service.releaseExpired(new Date('2026-01-02T00:00:00.000Z'))).resolves.toEqual({
      examined: 2,
      released: 0,
    });
    expect(read).toEqual([1, 2]);
    expect(lines.filter((l) => l.level === 'warn')).toEqual([
      {
        level: 'warn',
        fields: {
          user_id: entry(1).userId,
          transaction_id: entry(1).transactionId,
          code: new AmountExceedsHoldError('1.00').code,
        },
        message: 'expired hold not released',
      },
    ]);
  });
});

describe('OrderSettlementService: a resolution that landed although its answer was lost', () => {
  const userId = '6f1c1c1e-0000-4000-8000-000000000051';
  const at = '2026-01-01T00:00:00.000Z';
  const pending = pendingPayment(userId, '51', 500, '2999-01-01T00:00:00.000Z');

  /**
   * The first write lands, but its outcome reads as a lost race (`balance_changed`: its own
   * version bump); the next attempt finds the hold resolved by `resolver(token)`.
   */
  function lostAnswer(resolver: (token: string) => string) {
    const { lines, logger, counter } = recorded();
    let tx = pending;
    let balance: Balance = {
      userId,
      currentCents: 1000,
      heldCents: 500,
      version: 3,
      updatedAt: at,
    };
    const writes: string[] = [];
    const balances = { getBalance: () => Promise.resolve(balance) } as unknown as BalanceRepository;
    const orders = {
      getTransaction: () => Promise.resolve(tx),
      getHolding: () => Promise.resolve(null),
      applyOrderWrite: (w: {
        token: string;
        transaction: LedgerTransaction;
        balanceAfter: Balance;
      }) => {
        writes.push(w.token);
        tx = { ...w.transaction, resolvedBy: resolver(w.token) };
        balance = w.balanceAfter;
        return Promise.resolve('balance_changed');
      },
    } as unknown as OrderLedgerRepository;
    const service = new OrderSettlementService(balances, orders, counter, logger);
    return { service, writes, lines };
  }

  it('answers the landed write (200, not a replay) instead of 409, and writes once', async () => {
    const { service, writes } = lostAnswer((token) => token);
    const result = await service.complete({ userId, transactionId: pending.transactionId });
    expect(writes).toHaveLength(1);
    expect(result).toMatchObject({
      statusCode: 200,
      replayed: false,
      body: {
        transaction: {
          transaction_id: pending.transactionId,
          status: 'completed',
          amount: '-5.00',
        },
        balance: { current_balance: '5.00', held_balance: '0.00' },
      },
    });
  });

  it('answers 409 when another request resolved the hold', async () => {
    const { service, writes } = lostAnswer(() => 'another-request');
    await expect(
      service.cancel({ userId, transactionId: pending.transactionId }),
    ).rejects.toBeInstanceOf(TransactionNotPendingError);
    expect(writes).toHaveLength(1);
  });
});

describe('OrderSettlementService: the audit record of an order write', () => {
  const userId = '6f1c1c1e-0000-4000-8000-000000000061';
  const at = '2026-01-01T00:00:00.000Z';

  function auditing() {
    const { lines, logger, counter } = recorded();
    const balance: Balance = {
      userId,
      currentCents: 1000,
      heldCents: 500,
      version: 3,
      updatedAt: at,
    };
    const pending = pendingPayment(userId, '61', 500, '2999-01-01T00:00:00.000Z');
    const balances = { getBalance: () => Promise.resolve(balance) } as unknown as BalanceRepository;
    const orders = {
      getTransaction: () => Promise.resolve(pending),
      findOrder: () => Promise.resolve(null),
      getHolding: () => Promise.resolve(null),
      applyOrderWrite: () => Promise.resolve('applied'),
    } as unknown as OrderLedgerRepository;
    const service = new OrderSettlementService(balances, orders, counter, logger);
    const audits = () =>
      lines.filter((l) => l.fields.event === 'balance.order').map((l) => l.fields);
    return { service, audits, pending };
  }

  it('names the asset and its decimal quantity when the order delivers one', async () => {
    const { service, audits, pending } = auditing();
    await service.complete({
      userId,
      transactionId: pending.transactionId,
      asset: { assetId: 'ACME', quantityUnits: 1_500_000 },
    });
    expect(audits()).toEqual([
      expect.objectContaining({ asset_id: 'ACME', quantity: formatQuantity(1_500_000) }),
    ]);
  });

  it('has no quantity when the order carries no asset', async () => {
    const { service, audits, pending } = auditing();
    await service.cancel({ userId, transactionId: pending.transactionId });
    expect(audits()).toHaveLength(1);
    expect(audits()[0].quantity).toBeUndefined();
    expect(audits()[0].asset_id).toBeUndefined();
  });
});
