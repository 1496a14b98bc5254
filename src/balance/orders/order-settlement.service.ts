import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { monotonicFactory } from 'ulid';
import { AppError } from '../../common/errors';
import { LOGGER, Logger } from '../../common/logging/logger';
import { formatCents, formatQuantity, MAX_HOLDING_UNITS } from '../../common/money';
import { BALANCE_OPERATIONS_TOTAL } from '../../metrics/metric-names';
import { presentBalance, presentTransaction } from '../balance.presenter';
import { BalanceNotFoundError, InsufficientFundsError } from '../domain/balance.errors';
import { availableCents, Balance, CancelReason, LedgerTransaction } from '../domain/ledger';
import { BalanceRepository } from '../persistence/balance.repository';
import {
  OrderLedgerRepository,
  OrderOperation,
  OrderRecord,
  OrderWrite,
} from '../persistence/order-ledger.repository';
import type { OrderResponse } from './dto/order.responses';
import {
  AmountExceedsHoldError,
  HoldingLimitError,
  InsufficientHoldingsError,
  OrderIdReusedError,
  TransactionNotFoundError,
  TransactionNotPendingError,
} from './order.errors';
import { Decision, runOrderWrite, SettledOutcome } from './order-write-loop';

export interface OrderContext {
  readonly userId: string;
  readonly requestId?: string;
  readonly actor?: { readonly userId: string; readonly role: string };
}

export interface HoldCommand extends OrderContext {
  readonly orderId: string;
  readonly amountCents: number;
  readonly expiresInSeconds: number;
}

export interface CompleteCommand extends OrderContext {
  readonly transactionId: string;
  readonly amountCents?: number;
  readonly asset?: { readonly assetId: string; readonly quantityUnits: number };
}

export interface SellCommand extends OrderContext {
  readonly orderId: string;
  readonly assetId: string;
  readonly quantityUnits: number;
  readonly proceedsCents: number;
}

export interface OrderResult {
  readonly statusCode: number;
  readonly body: OrderResponse;
  readonly replayed: boolean;
}

export interface ReleaseSummary {
  readonly examined: number;
  readonly released: number;
}

function requestHash(parts: readonly unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

function present(tx: LedgerTransaction, balance: Balance): OrderResponse {
  return { transaction: presentTransaction(tx), balance: presentBalance(balance) };
}

/**
 * The order service's side of the ledger (SPEC §4 order integration): holds move money from
 * available to held, a completion takes the amount paid and credits the asset, a cancellation or
 * an expiry releases the hold, a sell debits the asset and credits the proceeds. Each is one
 * DynamoDB transaction pinned to the balance version read, through the same optimistic loop as
 * deposits; a pending transaction resolves at most once (its status is the condition).
 */
@Injectable()
export class OrderSettlementService {
  private readonly newId = monotonicFactory();

  constructor(
    private readonly balances: BalanceRepository,
    private readonly orders: OrderLedgerRepository,
    @InjectMetric(BALANCE_OPERATIONS_TOTAL) private readonly operations: Counter<string>,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  hold(command: HoldCommand): Promise<OrderResult> {
    return this.counted('hold', () => this.placeHold(command));
  }

  async complete(command: CompleteCommand): Promise<OrderResult> {
    return this.resolved(await this.counted('complete', () => this.resolve('complete', command)));
  }

  async cancel(command: OrderContext & { transactionId: string }): Promise<OrderResult> {
    return this.resolved(await this.counted('cancel', () => this.resolve('cancel', command)));
  }

  /** Only a release can decide there is nothing to do (the hold is not expired yet). */
  private resolved(result: OrderResult | null): OrderResult {
    if (!result) throw new TransactionNotPendingError();
    return result;
  }

  sell(command: SellCommand): Promise<OrderResult> {
    return this.counted('sell', () => this.settleSell(command));
  }

  /**
   * Releases holds whose expiry has passed, oldest first, at most `limit` per call. A hold that a
   * completion or cancellation resolved meanwhile is left alone (its status is the condition).
   */
  async releaseExpired(now = new Date(), limit = 100): Promise<ReleaseSummary> {
    const expired = await this.orders.listExpiredHolds(now, limit);
    let released = 0;
    for (const hold of expired) {
      const result = await this.counted('release_expired', () =>
        this.resolve('release', { userId: hold.userId, transactionId: hold.transactionId }, now),
      ).catch(async (err: unknown) => {
        // Resolved meanwhile (or the index entry is stale): drop the entry, it has nothing to do.
        if (err instanceof TransactionNotPendingError || err instanceof TransactionNotFoundError) {
          await this.orders.forgetExpiredHold(hold);
          return null;
        }
        // The store is down: stop the batch. Anything else stays for the next run, and one bad
        // hold never blocks the others.
        if (!(err instanceof AppError) || err.status === 503) throw err;
        this.logger.warn(
          { user_id: hold.userId, transaction_id: hold.transactionId, code: err.code },
          'expired hold not released',
        );
        return null;
      });
      if (result) released++;
    }
    return { examined: expired.length, released };
  }

  private async counted<R extends OrderResult | null>(
    operation: string,
    run: () => Promise<R>,
  ): Promise<R> {
    try {
      const result = await run();
      const label = result === null ? 'skipped' : result.replayed ? 'replayed' : 'success';
      this.operations.inc({ operation, result: label });
      return result;
    } catch (err) {
      this.operations.inc({ operation, result: err instanceof AppError ? err.code : 'error' });
      throw err;
    }
  }

  /** A repeat of an order id: the same request replays its transaction as it is now. */
  private async replayOrder(
    userId: string,
    record: OrderRecord | null,
    hash: string,
    balance: Balance | null,
  ): Promise<OrderResult | null> {
    if (!record) return null;
    if (record.requestHash !== hash) throw new OrderIdReusedError();
    const [tx, current] = await Promise.all([
      this.orders.getTransaction(userId, record.transactionId),
      balance ? Promise.resolve(balance) : this.balances.getBalance(userId),
    ]);
    if (!tx || !current) throw new TransactionNotFoundError();
    return { statusCode: 201, body: present(tx, current), replayed: true };
  }

  /**
   * A business rejection first reads the order record again: the order and the balance (or
   * holding) are read in parallel, so a twin may see the money already taken by the winner of its
   * own order id while its order read came before that write; it replays the winner, not 422.
   */
  private async rejectUnlessReplayed(
    command: OrderContext & { orderId: string },
    hash: string,
    error: Error,
  ): Promise<Decision<OrderResult>> {
    const record = await this.orders.findOrder(command.userId, command.orderId);
    const replay = await this.replayOrder(command.userId, record, hash, null);
    if (replay) return { done: replay };
    throw error;
  }

  private placeHold(command: HoldCommand): Promise<OrderResult> {
    const hash = requestHash(['order.hold', command.userId, command.amountCents]);
    return this.loop<OrderResult>('hold', command, async () => {
      const [balance, record] = await Promise.all([
        this.balances.getBalance(command.userId),
        this.orders.findOrder(command.userId, command.orderId),
      ]);
      const replay = await this.replayOrder(command.userId, record, hash, balance);
      if (replay) return { done: replay };
      if (!balance) throw new BalanceNotFoundError();
      if (availableCents(balance) < command.amountCents) {
        return this.rejectUnlessReplayed(command, hash, new InsufficientFundsError());
      }
      const now = new Date();
      const at = now.toISOString();
      const transaction: LedgerTransaction = {
        transactionId: this.newId(),
        userId: command.userId,
        type: 'order_payment',
        amountCents: -command.amountCents,
        status: 'pending',
        description: `Hold for order ${command.orderId}`,
        referenceId: command.orderId,
        balanceAfterCents: balance.currentCents,
        createdAt: at,
        updatedAt: at,
        hold: {
          cents: command.amountCents,
          expiresAt: new Date(now.getTime() + command.expiresInSeconds * 1000).toISOString(),
        },
      };
      const balanceAfter = this.next(balance, 0, command.amountCents, at);
      return {
        write: this.write('hold', command, balance, balanceAfter, transaction, {
          isNew: true,
          order: { orderId: command.orderId, requestHash: hash },
          holdIndex: 'add',
        }),
      };
    });
  }

  /** Complete, cancel or release one pending order payment. */
  private resolve(
    operation: 'complete' | 'cancel' | 'release',
    command: CompleteCommand,
    now?: Date,
  ): Promise<OrderResult | null> {
    const mine = new Set<string>();
    return this.loop(operation, command, async () => {
      const [tx, balance] = await Promise.all([
        this.orders.getTransaction(command.userId, command.transactionId),
        this.balances.getBalance(command.userId),
      ]);
      if (!tx || tx.type !== 'order_payment' || !tx.hold) throw new TransactionNotFoundError();
      if (!balance) throw new BalanceNotFoundError();
      if (tx.status !== 'pending') {
        // An earlier attempt of this very request landed although its answer was lost.
        if (tx.resolvedBy && mine.has(tx.resolvedBy)) {
          return { done: { statusCode: 200, body: present(tx, balance), replayed: false } };
        }
        throw new TransactionNotPendingError();
      }
      if (
        operation === 'release' &&
        Date.parse(tx.hold.expiresAt) > (now ?? new Date()).getTime()
      ) {
        return { done: null };
      }
      const held = tx.hold.cents;
      const at = new Date().toISOString();
      let after: LedgerTransaction;
      let balanceAfter: Balance;
      if (operation === 'complete') {
        const paid = command.amountCents ?? held;
        if (paid > held) throw new AmountExceedsHoldError(formatCents(held));
        if (command.asset) await this.checkRoom(command.userId, command.asset);
        balanceAfter = this.next(balance, -paid, -held, at);
        after = {
          ...tx,
          status: 'completed',
          amountCents: -paid,
          balanceAfterCents: balanceAfter.currentCents,
          updatedAt: at,
          ...(command.asset ? { asset: command.asset } : {}),
        };
      } else {
        const reason: CancelReason = operation === 'release' ? 'expired' : 'cancelled';
        balanceAfter = this.next(balance, 0, -held, at);
        after = {
          ...tx,
          status: 'cancelled',
          balanceAfterCents: balance.currentCents,
          updatedAt: at,
          cancelReason: reason,
        };
      }
      const write = this.write(operation, command, balance, balanceAfter, after, {
        isNew: false,
        holdIndex: 'remove',
        holding: command.asset && {
          assetId: command.asset.assetId,
          deltaUnits: command.asset.quantityUnits,
        },
      });
      mine.add(write.token);
      return { write };
    });
  }

  private async checkRoom(
    userId: string,
    asset: { assetId: string; quantityUnits: number },
  ): Promise<void> {
    const holding = await this.orders.getHolding(userId, asset.assetId);
    if ((holding?.quantityUnits ?? 0) + asset.quantityUnits > MAX_HOLDING_UNITS) {
      throw new HoldingLimitError();
    }
  }

  private settleSell(command: SellCommand): Promise<OrderResult> {
    const hash = requestHash([
      'order.sell',
      command.userId,
      command.assetId,
      command.quantityUnits,
      command.proceedsCents,
    ]);
    return this.loop<OrderResult>('sell', command, async () => {
      const [balance, holding, record] = await Promise.all([
        this.balances.getBalance(command.userId),
        this.orders.getHolding(command.userId, command.assetId),
        this.orders.findOrder(command.userId, command.orderId),
      ]);
      const replay = await this.replayOrder(command.userId, record, hash, balance);
      if (replay) return { done: replay };
      if (!balance) throw new BalanceNotFoundError();
      if ((holding?.quantityUnits ?? 0) < command.quantityUnits) {
        return this.rejectUnlessReplayed(command, hash, new InsufficientHoldingsError());
      }
      const at = new Date().toISOString();
      const balanceAfter = this.next(balance, command.proceedsCents, 0, at);
      const transaction: LedgerTransaction = {
        transactionId: this.newId(),
        userId: command.userId,
        type: 'order_sale',
        amountCents: command.proceedsCents,
        status: 'completed',
        description: `Sale of ${formatQuantity(command.quantityUnits)} ${command.assetId} (order ${command.orderId})`,
        referenceId: command.orderId,
        balanceAfterCents: balanceAfter.currentCents,
        createdAt: at,
        updatedAt: at,
        asset: { assetId: command.assetId, quantityUnits: -command.quantityUnits },
      };
      return {
        write: this.write('sell', command, balance, balanceAfter, transaction, {
          isNew: true,
          order: { orderId: command.orderId, requestHash: hash },
          holding: { assetId: command.assetId, deltaUnits: -command.quantityUnits },
        }),
      };
    });
  }

  private loop<R extends OrderResult | null>(
    operation: OrderOperation,
    context: OrderContext,
    decide: () => Promise<Decision<R>>,
  ): Promise<R> {
    return runOrderWrite(
      this.orders,
      this.logger,
      { operation, userId: context.userId, requestId: context.requestId },
      decide,
      (outcome, write) => this.finish(outcome, write, context) as R,
    );
  }

  private finish(outcome: SettledOutcome, write: OrderWrite, context: OrderContext): OrderResult {
    if (outcome === 'not_pending') throw new TransactionNotPendingError();
    if (outcome === 'insufficient_holdings') throw new InsufficientHoldingsError();
    if (outcome === 'holding_limit') throw new HoldingLimitError();
    this.audit(write, context);
    return {
      statusCode: write.isNew ? 201 : 200,
      body: present(write.transaction, write.balanceAfter),
      replayed: false,
    };
  }

  private next(balance: Balance, currentDelta: number, heldDelta: number, at: string): Balance {
    return {
      ...balance,
      currentCents: balance.currentCents + currentDelta,
      heldCents: balance.heldCents + heldDelta,
      version: balance.version + 1,
      updatedAt: at,
    };
  }

  private write(
    operation: OrderOperation,
    context: OrderContext,
    balance: Balance,
    balanceAfter: Balance,
    transaction: LedgerTransaction,
    extra: Pick<OrderWrite, 'isNew' | 'order' | 'holding' | 'holdIndex'>,
  ): OrderWrite {
    return {
      operation,
      token: randomUUID(),
      expectedVersion: balance.version,
      balanceAfter,
      transaction,
      requestId: context.requestId,
      ...extra,
    };
  }

  private audit(write: OrderWrite, context: OrderContext): void {
    const tx = write.transaction;
    this.logger.info(
      {
        event: 'balance.order',
        operation: write.operation,
        user_id: tx.userId,
        transaction_id: tx.transactionId,
        order_id: tx.referenceId,
        amount: formatCents(tx.amountCents),
        status: tx.status,
        asset_id: tx.asset?.assetId,
        quantity: tx.asset && formatQuantity(tx.asset.quantityUnits),
        balance_after: formatCents(write.balanceAfter.currentCents),
        held_after: formatCents(write.balanceAfter.heldCents),
        request_id: context.requestId,
        actor_id: context.actor?.userId,
        actor_role: context.actor?.role,
      },
      `audit: ${write.operation} ${tx.transactionId}`,
    );
  }
}
