import { CURRENCY, formatCents, formatQuantity } from '../common/money';
import type {
  BalanceResponse,
  MovementResponse,
  TransactionResponse,
} from './dto/balance.responses';
import { availableCents, Balance, LedgerTransaction, MovementKind } from './domain/ledger';

/** Domain objects to the JSON shapes of SPEC §4. */
export function presentBalance(balance: Balance): BalanceResponse {
  return {
    user_id: balance.userId,
    current_balance: formatCents(balance.currentCents),
    available_balance: formatCents(availableCents(balance)),
    held_balance: formatCents(balance.heldCents),
    currency: CURRENCY,
    updated_at: balance.updatedAt,
  };
}

export function presentTransaction(tx: LedgerTransaction): TransactionResponse {
  return {
    transaction_id: tx.transactionId,
    transaction_type: tx.type,
    amount: formatCents(tx.amountCents),
    status: tx.status,
    description: tx.description,
    reference_id: tx.referenceId,
    balance_after: formatCents(tx.balanceAfterCents),
    created_at: tx.createdAt,
    updated_at: tx.updatedAt,
    asset: tx.asset
      ? { asset_id: tx.asset.assetId, quantity: formatQuantity(tx.asset.quantityUnits) }
      : null,
    hold_expires_at: tx.status === 'pending' && tx.hold ? tx.hold.expiresAt : null,
  };
}

const MESSAGES: Record<MovementKind, string> = {
  deposit: 'Deposit completed.',
  withdraw: 'Withdrawal completed.',
  adjustment: 'Adjustment completed.',
};

export function presentMovement(
  kind: MovementKind,
  tx: LedgerTransaction,
  balance: Balance,
): MovementResponse {
  return {
    success: true,
    message: MESSAGES[kind],
    transaction: presentTransaction(tx),
    balance: presentBalance(balance),
    transaction_id: tx.transactionId,
    timestamp: tx.createdAt,
  };
}
