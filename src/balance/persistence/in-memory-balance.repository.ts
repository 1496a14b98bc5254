import type { NowMs } from '../../common/clock';
import { ttlAfter } from '../../database/keys';
import type { Balance, IdempotencyRecord, LedgerTransaction } from '../domain/ledger';
import {
  BalanceRepository,
  MovementOutcome,
  MovementWrite,
  TransactionPage,
  TransactionQuery,
} from './balance.repository';

/**
 * In-memory implementation of the balance port with the same all-or-nothing, conditional semantics
 * as the DynamoDB adapter. For unit tests; `beforeApply` lets a test interleave a competing write
 * or force the reported outcome (e.g. apply the write, then report `unknown`).
 */
export class InMemoryBalanceRepository extends BalanceRepository {
  readonly balances = new Map<string, Balance>();
  readonly transactions = new Map<string, LedgerTransaction[]>();
  readonly idempotency = new Map<string, IdempotencyRecord>();
  readonly limits = new Map<string, number>();
  /** `expires_at` (epoch s) of each idempotency record, like the adapter's TTL attribute. */
  private readonly idempotencyExpiry = new Map<string, number>();
  applyCalls = 0;
  beforeApply?: (
    write: MovementWrite,
    call: number,
  ) => Promise<MovementOutcome | void> | MovementOutcome | void;

  constructor(private readonly nowMs: NowMs = Date.now) {
    super();
  }

  seed(userId: string, currentCents = 0, heldCents = 0): void {
    this.balances.set(userId, {
      userId,
      currentCents,
      heldCents,
      version: 0,
      updatedAt: new Date().toISOString(),
    });
  }

  addTransaction(tx: LedgerTransaction): void {
    const list = this.transactions.get(tx.userId) ?? [];
    list.push(tx);
    list.sort((a, b) => (a.transactionId < b.transactionId ? -1 : 1));
    this.transactions.set(tx.userId, list);
  }

  async getBalance(userId: string): Promise<Balance | null> {
    return this.balances.get(userId) ?? null;
  }

  async applyMovement(write: MovementWrite): Promise<MovementOutcome> {
    const call = ++this.applyCalls;
    const forced = await this.beforeApply?.(write, call);
    if (forced) return forced;
    const userId = write.transaction.userId;
    // Like the transaction item's attribute_not_exists: resending a write that landed changes nothing.
    const txId = write.transaction.transactionId;
    if (this.transactions.get(userId)?.some((tx) => tx.transactionId === txId)) return 'applied';
    const idemKey = write.idempotency && `${userId}\n${write.idempotency.key}`;
    // Like the adapter's `attribute_not_exists(PK) OR expires_at <= :now` (now = the write's time).
    const writtenAt = Date.parse(write.balanceAfter.updatedAt);
    if (idemKey && this.idempotency.has(idemKey) && !this.expired(idemKey, writtenAt)) {
      return 'idempotency_key_exists';
    }
    const limit = write.dailyLimit;
    const limitKey = limit && `${userId}\n${write.kind}\n${limit.day}`;
    const used = limitKey ? this.limits.get(limitKey) : undefined;
    if (limit && used !== undefined && used > limit.limitCents - write.amountCents) {
      return 'daily_limit_exceeded';
    }
    const balance = this.balances.get(userId);
    if (!balance || balance.version !== write.expectedVersion) return 'balance_changed';
    const debit = write.transaction.amountCents < 0;
    if (debit && balance.currentCents < balance.heldCents + write.amountCents) {
      return 'balance_changed';
    }
    this.balances.set(userId, write.balanceAfter);
    this.addTransaction(write.transaction);
    if (limitKey) this.limits.set(limitKey, (used ?? 0) + write.amountCents);
    if (idemKey && write.idempotency) {
      this.idempotency.set(idemKey, {
        key: write.idempotency.key,
        requestHash: write.idempotency.requestHash,
        response: write.idempotency.response,
        transactionId: write.transaction.transactionId,
      });
      this.idempotencyExpiry.set(idemKey, ttlAfter(write.idempotency.ttlSeconds, writtenAt));
    }
    return 'applied';
  }

  async findIdempotencyRecord(userId: string, key: string): Promise<IdempotencyRecord | null> {
    const idemKey = `${userId}\n${key}`;
    if (this.expired(idemKey, this.nowMs())) return null;
    return this.idempotency.get(idemKey) ?? null;
  }

  /** A record is live until its `expires_at` second begins. */
  private expired(idemKey: string, atMs: number): boolean {
    const expiresAt = this.idempotencyExpiry.get(idemKey);
    return expiresAt !== undefined && expiresAt * 1000 <= atMs;
  }

  async listTransactions(userId: string, query: TransactionQuery): Promise<TransactionPage> {
    const newestFirst = [...(this.transactions.get(userId) ?? [])].reverse();
    const matching = newestFirst.filter(
      (tx) =>
        (!query.after || tx.transactionId < query.after) &&
        (!query.type || tx.type === query.type) &&
        (!query.status || tx.status === query.status),
    );
    const page = matching.slice(query.skip ?? 0);
    return { transactions: page.slice(0, query.limit), hasMore: page.length > query.limit };
  }

  async listAllTransactions(userId: string): Promise<LedgerTransaction[]> {
    return [...(this.transactions.get(userId) ?? [])];
  }

  async *listLedgerUserIds(): AsyncIterable<string> {
    const ids = new Set([...this.balances.keys(), ...this.transactions.keys()]);
    for (const id of ids) yield id;
  }
}
