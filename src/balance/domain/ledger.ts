/** The balance and its ledger, in integer cents. Persistence shapes live in ../persistence. */

export const TRANSACTION_TYPES = [
  'deposit',
  'withdraw',
  'order_payment',
  'order_sale',
  'adjustment',
] as const;
export type TransactionType = (typeof TRANSACTION_TYPES)[number];

export const TRANSACTION_STATUSES = ['pending', 'completed', 'cancelled', 'failed'] as const;
export type TransactionStatus = (typeof TRANSACTION_STATUSES)[number];

/** Customer deposits and withdrawals, and admins' signed adjustments (no daily limit). */
export type MovementKind = 'deposit' | 'withdraw' | 'adjustment';
export type LimitedMovementKind = Exclude<MovementKind, 'adjustment'>;

export interface Balance {
  readonly userId: string;
  readonly currentCents: number;
  readonly heldCents: number;
  /** Incremented by every write; writes are conditioned on the version they read. */
  readonly version: number;
  readonly updatedAt: string;
}

export function availableCents(balance: Balance): number {
  return balance.currentCents - balance.heldCents;
}

export interface LedgerTransaction {
  readonly transactionId: string;
  readonly userId: string;
  readonly type: TransactionType;
  /** Signed: credits positive, debits (withdrawals, payments, holds) negative. */
  readonly amountCents: number;
  readonly status: TransactionStatus;
  readonly description: string | null;
  readonly referenceId: string | null;
  /** `current_cents` of the balance right after this transaction was written. */
  readonly balanceAfterCents: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Order payments: the amount held when the hold was placed, and when it may be released. */
  readonly hold?: { readonly cents: number; readonly expiresAt: string };
  /** Trades: the asset bought (positive quantity) or sold (negative), in units of 1e-8. */
  readonly asset?: { readonly assetId: string; readonly quantityUnits: number };
  /** Why a pending transaction was cancelled: by the order service, or released at expiry. */
  readonly cancelReason?: CancelReason;
  /** The write that resolved a pending transaction (opaque; lets a retry recognise its own write). */
  readonly resolvedBy?: string;
}

export type CancelReason = 'cancelled' | 'expired';

/** A response stored under an Idempotency-Key, replayed verbatim for a retry. */
export interface StoredResponse {
  readonly statusCode: number;
  readonly body: string;
}

export interface IdempotencyRecord {
  readonly key: string;
  readonly requestHash: string;
  readonly response: StoredResponse;
  readonly transactionId: string;
}
