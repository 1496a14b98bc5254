import { ItemKey, keys, ttlAfter } from '../../database/keys';
import type {
  Balance,
  CancelReason,
  IdempotencyRecord,
  LedgerTransaction,
  StoredResponse,
  TransactionStatus,
  TransactionType,
} from '../domain/ledger';
import type { BalanceItem } from './balance.item';

/** Stored BalanceTransaction item (SPEC §5): immutable except the status of pending ones. */
export interface TransactionItem extends ItemKey {
  entity: 'transaction';
  user_id: string;
  transaction_id: string;
  transaction_type: TransactionType;
  amount_cents: number;
  status: TransactionStatus;
  description: string | null;
  reference_id: string | null;
  balance_after_cents: number;
  request_id?: string;
  created_at: string;
  updated_at: string;
  /** Order payments: the amount held, and when an unresolved hold may be released. */
  hold_cents?: number;
  hold_expires_at?: string;
  /** Trades: the asset and its signed quantity in units of 1e-8 (bought +, sold −). */
  asset_id?: string;
  asset_quantity_units?: number;
  cancel_reason?: CancelReason;
  /** The write that resolved a pending transaction (so a resend can tell it landed). */
  resolution_token?: string;
}

/** Stored Idempotency record: request hash and the response to replay, until `expires_at`. */
export interface IdempotencyItem extends ItemKey {
  entity: 'idempotency';
  user_id: string;
  request_hash: string;
  status_code: number;
  response_body: string;
  transaction_id: string;
  created_at: string;
  expires_at: number;
}

/** Daily limit counter days live this long after the day ends. */
export const LIMIT_COUNTER_TTL_SECONDS = 3 * 86400;

export function toBalance(item: BalanceItem): Balance {
  return {
    userId: item.user_id,
    currentCents: Number(item.current_cents),
    heldCents: Number(item.held_cents ?? 0),
    version: Number(item.version ?? 0),
    updatedAt: item.updated_at,
  };
}

export function toTransactionItem(tx: LedgerTransaction, requestId?: string): TransactionItem {
  return {
    ...keys.transaction(tx.userId, tx.transactionId),
    entity: 'transaction',
    user_id: tx.userId,
    transaction_id: tx.transactionId,
    transaction_type: tx.type,
    amount_cents: tx.amountCents,
    status: tx.status,
    description: tx.description,
    reference_id: tx.referenceId,
    balance_after_cents: tx.balanceAfterCents,
    request_id: requestId,
    created_at: tx.createdAt,
    updated_at: tx.updatedAt,
    hold_cents: tx.hold?.cents,
    hold_expires_at: tx.hold?.expiresAt,
    asset_id: tx.asset?.assetId,
    asset_quantity_units: tx.asset?.quantityUnits,
    cancel_reason: tx.cancelReason,
  };
}

export function toTransaction(item: TransactionItem): LedgerTransaction {
  return {
    transactionId: item.transaction_id,
    userId: item.user_id,
    type: item.transaction_type,
    amountCents: Number(item.amount_cents),
    status: item.status,
    description: item.description ?? null,
    referenceId: item.reference_id ?? null,
    balanceAfterCents: Number(item.balance_after_cents),
    createdAt: item.created_at,
    updatedAt: item.updated_at ?? item.created_at,
    ...(item.hold_cents !== undefined && item.hold_expires_at
      ? { hold: { cents: Number(item.hold_cents), expiresAt: item.hold_expires_at } }
      : {}),
    ...(item.asset_id !== undefined && item.asset_quantity_units !== undefined
      ? {
          asset: {
            assetId: item.asset_id,
            quantityUnits: Number(item.asset_quantity_units),
          },
        }
      : {}),
    ...(item.cancel_reason ? { cancelReason: item.cancel_reason } : {}),
    ...(item.resolution_token ? { resolvedBy: item.resolution_token } : {}),
  };
}

export function toIdempotencyItem(
  userId: string,
  key: string,
  requestHash: string,
  response: StoredResponse,
  transactionId: string,
  now: Date,
  ttlSeconds: number,
): IdempotencyItem {
  return {
    ...keys.idempotency(userId, key),
    entity: 'idempotency',
    user_id: userId,
    request_hash: requestHash,
    status_code: response.statusCode,
    response_body: response.body,
    transaction_id: transactionId,
    created_at: now.toISOString(),
    expires_at: ttlAfter(ttlSeconds, now.getTime()),
  };
}

export function toIdempotencyRecord(key: string, item: IdempotencyItem): IdempotencyRecord {
  return {
    key,
    requestHash: item.request_hash,
    response: { statusCode: Number(item.status_code), body: item.response_body },
    transactionId: item.transaction_id,
  };
}

/** TTL of a daily counter: a few days after the end of its UTC day. */
export function limitCounterExpiry(day: string): number {
  const endOfDay = Date.parse(`${day}T00:00:00.000Z`) + 86400_000;
  return ttlAfter(LIMIT_COUNTER_TTL_SECONDS, endOfDay);
}
