import type { Balance, LedgerTransaction } from '../domain/ledger';

/** What a user holds of one asset, in units of 1e-8. */
export interface Holding {
  readonly userId: string;
  readonly assetId: string;
  readonly quantityUnits: number;
  readonly updatedAt: string;
}

/** The record that makes an order id apply at most once per user (holds and sells). */
export interface OrderRecord {
  readonly orderId: string;
  /** Hash of the operation and its body: the same order id with another request is refused. */
  readonly requestHash: string;
  readonly transactionId: string;
}

export type OrderOperation = 'hold' | 'complete' | 'cancel' | 'release' | 'sell';

/**
 * One order-integration write, fully decided by the service: the balance pinned to the version
 * read, the transaction (new, or a pending one resolved), and what goes with it. Written all at
 * once or not at all; resending the same object is safe (same ClientRequestToken).
 */
export interface OrderWrite {
  readonly operation: OrderOperation;
  /** Unique per planned write; recorded on a resolved transaction so a resend can tell it landed. */
  readonly token: string;
  readonly expectedVersion: number;
  readonly balanceAfter: Balance;
  /** The transaction as it will be stored. */
  readonly transaction: LedgerTransaction;
  /** True: a new transaction (hold, sell). False: a pending one resolved (must still be pending). */
  readonly isNew: boolean;
  /** Created with the write (hold, sell): the order id may not exist yet. */
  readonly order?: { readonly orderId: string; readonly requestHash: string };
  /** Signed change of one holding: a sell needs at least the quantity it takes. */
  readonly holding?: { readonly assetId: string; readonly deltaUnits: number };
  /** The hold's entry in the expiry index: added with a hold, removed when it is resolved. */
  readonly holdIndex?: 'add' | 'remove';
  readonly requestId?: string;
}

/**
 * What became of one write. `applied`; `balance_changed` / `contended`: plan again; `not_pending`:
 * the transaction was resolved by another write; `order_exists`: the order id was used meanwhile;
 * `insufficient_holdings` / `holding_limit`: the holding condition failed; `unknown`: the store
 * did not say (only resending the same write settles it).
 */
export type OrderWriteOutcome =
  | 'applied'
  | 'balance_changed'
  | 'contended'
  | 'not_pending'
  | 'order_exists'
  | 'insufficient_holdings'
  | 'holding_limit'
  | 'unknown';

export interface ExpiredHold {
  readonly userId: string;
  readonly transactionId: string;
  readonly expiresAt: string;
}

/** Port for holds, settlements and holdings; the balance itself is read through BalanceRepository. */
export abstract class OrderLedgerRepository {
  /** Strongly consistent; null when the user has no such transaction. */
  abstract getTransaction(userId: string, transactionId: string): Promise<LedgerTransaction | null>;

  abstract findOrder(userId: string, orderId: string): Promise<OrderRecord | null>;

  /** Strongly consistent; null when the user never held the asset. */
  abstract getHolding(userId: string, assetId: string): Promise<Holding | null>;

  /** Every holding with a quantity above zero, by asset id. */
  abstract listHoldings(userId: string): Promise<Holding[]>;

  /** Every holding item, zero quantities included (reconciliation). */
  abstract listAllHoldings(userId: string): Promise<Holding[]>;

  abstract applyOrderWrite(write: OrderWrite): Promise<OrderWriteOutcome>;

  /** Unresolved holds whose expiry is at or before `now`, oldest first, at most `limit`. */
  abstract listExpiredHolds(now: Date, limit: number): Promise<ExpiredHold[]>;

  /** Removes an expiry-index entry whose hold is already resolved (or gone). */
  abstract forgetExpiredHold(hold: ExpiredHold): Promise<void>;
}
