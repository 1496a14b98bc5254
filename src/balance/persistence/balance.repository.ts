import type {
  Balance,
  IdempotencyRecord,
  LedgerTransaction,
  MovementKind,
  StoredResponse,
  TransactionStatus,
  TransactionType,
} from '../domain/ledger';

/** One deposit or withdrawal, fully decided by the service: written all at once or not at all. */
export interface MovementWrite {
  readonly kind: MovementKind;
  /** The magnitude moved (positive); `transaction.amountCents` carries the sign. */
  readonly amountCents: number;
  /** The version the service read; the write only lands if the balance is still at it. */
  readonly expectedVersion: number;
  /** The balance after the movement (version = expectedVersion + 1). */
  readonly balanceAfter: Balance;
  readonly transaction: LedgerTransaction;
  readonly requestId?: string;
  /** Deposits and withdrawals (always); an adjustment has no daily limit. */
  readonly dailyLimit?: { readonly day: string; readonly limitCents: number };
  readonly idempotency?: {
    readonly key: string;
    readonly requestHash: string;
    readonly response: StoredResponse;
    readonly ttlSeconds: number;
  };
}

/**
 * What became of one movement write. `balance_changed`: the balance is no longer at the expected
 * version (or no longer has the funds); `contended`: another transaction held one of the items.
 * Those two, `daily_limit_exceeded` and `idempotency_key_exists` mean the write did not land.
 * `unknown`: the store did not say (the same write is still being processed, a timeout, a lost
 * connection, a 5xx): it may have landed or may still land, and only resending the same write
 * (same transaction id, same ClientRequestToken) settles it; planning a new write could apply the
 * movement twice.
 */
export type MovementOutcome =
  | 'applied'
  | 'balance_changed'
  | 'daily_limit_exceeded'
  | 'idempotency_key_exists'
  | 'contended'
  | 'unknown';

export interface TransactionQuery {
  readonly limit: number;
  /** Continue after this transaction (newest first). */
  readonly after?: string;
  /** Skip this many matching transactions first (old clients' `offset`). */
  readonly skip?: number;
  readonly type?: TransactionType;
  readonly status?: TransactionStatus;
}

export interface TransactionPage {
  readonly transactions: LedgerTransaction[];
  readonly hasMore: boolean;
  /**
   * Set when the scan cap ended the page before it was full: the last transaction EXAMINED (matching
   * or not), where the next page must continue. Otherwise the next page continues after the last
   * transaction returned.
   */
  readonly resumeAfter?: string;
}

/** Port for the balance aggregate: balances, their ledger and idempotency records. */
export abstract class BalanceRepository {
  /** Strongly consistent read; null when the user has no balance. */
  abstract getBalance(userId: string): Promise<Balance | null>;

  /**
   * Writes balance, transaction, limit counter and idempotency record in one atomic transaction.
   * Resending the same write is safe: once it landed, a resend reports `applied` and changes
   * nothing. Throws (503) only when the write certainly did not land; an unclear failure is
   * `unknown`.
   */
  abstract applyMovement(write: MovementWrite): Promise<MovementOutcome>;

  /** A live (not expired) idempotency record, strongly consistent. */
  abstract findIdempotencyRecord(userId: string, key: string): Promise<IdempotencyRecord | null>;

  /**
   * Newest first, strongly consistent. Examines a bounded number of transactions per call (a filter
   * that matches few answers a short page with `hasMore`); stops, throwing, once `signal` aborts.
   */
  abstract listTransactions(
    userId: string,
    query: TransactionQuery,
    signal?: AbortSignal,
  ): Promise<TransactionPage>;

  /** Every transaction of a user (reconciliation). */
  abstract listAllTransactions(userId: string): Promise<LedgerTransaction[]>;

  /** Every user id that has a balance or a transaction (reconciliation of all users). */
  abstract listLedgerUserIds(): AsyncIterable<string>;
}
