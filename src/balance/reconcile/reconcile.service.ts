import { Injectable } from '@nestjs/common';
import { BalanceNotFoundError } from '../domain/balance.errors';
import { reconcileLedger, ReconcileReport } from '../domain/reconcile';
import type { Balance, LedgerTransaction } from '../domain/ledger';
import { BalanceRepository } from '../persistence/balance.repository';
import { Holding, OrderLedgerRepository } from '../persistence/order-ledger.repository';

/** Consistent-snapshot attempts: the balance must not change while its transactions are read. */
export const SNAPSHOT_ATTEMPTS = 5;

export interface ReconcileSummary {
  readonly ok: boolean;
  readonly users_checked: number;
  readonly users_mismatched: number;
  /** Reports of the users that do not reconcile. */
  readonly mismatched: ReconcileReport[];
}

/** Recomputes balances from the transaction items and reports every difference (SPEC §6.1). */
@Injectable()
export class ReconcileService {
  constructor(
    private readonly repository: BalanceRepository,
    private readonly orders: OrderLedgerRepository,
  ) {}

  /** Null when the user has neither a balance nor transactions. */
  async reconcileUser(userId: string): Promise<ReconcileReport | null> {
    const { balance, transactions, holdings } = await this.snapshot(userId);
    if (!balance && transactions.length === 0) return null;
    return reconcileLedger(userId, balance, transactions, holdings);
  }

  async reconcileUserOrFail(userId: string): Promise<ReconcileReport> {
    const report = await this.reconcileUser(userId);
    if (!report) throw new BalanceNotFoundError();
    return report;
  }

  async reconcileAll(): Promise<ReconcileSummary> {
    let checked = 0;
    const mismatched: ReconcileReport[] = [];
    for await (const userId of this.repository.listLedgerUserIds()) {
      const report = await this.reconcileUser(userId);
      if (!report) continue;
      checked++;
      if (!report.ok) mismatched.push(report);
    }
    return {
      ok: mismatched.length === 0,
      users_checked: checked,
      users_mismatched: mismatched.length,
      mismatched,
    };
  }

  /**
   * Balance, transactions and holdings as of one moment: every change bumps the balance version in
   * the same transaction that writes the ledger item (and the holding), so an unchanged version around the read proves both
   * belong together. Under constant writes the last read is used (a possible false mismatch).
   */
  private async snapshot(
    userId: string,
  ): Promise<{ balance: Balance | null; transactions: LedgerTransaction[]; holdings: Holding[] }> {
    let result = {
      balance: null as Balance | null,
      transactions: [] as LedgerTransaction[],
      holdings: [] as Holding[],
    };
    for (let attempt = 0; attempt < SNAPSHOT_ATTEMPTS; attempt++) {
      const before = await this.repository.getBalance(userId);
      const [transactions, holdings] = await Promise.all([
        this.repository.listAllTransactions(userId),
        this.orders.listAllHoldings(userId),
      ]);
      const after = await this.repository.getBalance(userId);
      result = { balance: after, transactions, holdings };
      if (before?.version === after?.version) return { balance: before, transactions, holdings };
    }
    return result;
  }
}
