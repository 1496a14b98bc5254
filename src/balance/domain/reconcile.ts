import { formatCents, formatQuantity } from '../../common/money';
import { availableCents, Balance, LedgerTransaction } from './ledger';

export interface Mismatch {
  readonly code:
    | 'balance_missing'
    | 'current_balance_mismatch'
    | 'held_balance_mismatch'
    | 'negative_available_balance'
    | 'negative_held_balance'
    | 'pending_credit'
    | 'holding_mismatch';
  readonly detail: string;
  readonly expected?: string;
  readonly actual?: string;
}

export interface ReconcileReport {
  readonly user_id: string;
  readonly ok: boolean;
  /** The stored balance, or null when there is none. */
  readonly stored: {
    readonly current_balance: string;
    readonly held_balance: string;
    readonly available_balance: string;
    readonly version: number;
  } | null;
  /** What the transaction items add up to. */
  readonly computed: { readonly current_balance: string; readonly held_balance: string };
  readonly transaction_count: number;
  readonly mismatches: Mismatch[];
}

/** A stored holding, for reconciliation: asset id and quantity in units of 1e-8. */
export interface HoldingSnapshot {
  readonly assetId: string;
  readonly quantityUnits: number;
}

/** Each holding must equal Σ asset quantities of its completed trades (bought +, sold −). */
function reconcileHoldings(
  transactions: readonly LedgerTransaction[],
  holdings: readonly HoldingSnapshot[],
): Mismatch[] {
  const computed = new Map<string, number>();
  for (const tx of transactions) {
    if (tx.status !== 'completed' || !tx.asset) continue;
    const { assetId, quantityUnits } = tx.asset;
    computed.set(assetId, (computed.get(assetId) ?? 0) + quantityUnits);
  }
  const stored = new Map(holdings.map((h) => [h.assetId, h.quantityUnits]));
  const assets = [...new Set([...computed.keys(), ...stored.keys()])].sort();
  return assets
    .filter((asset) => (computed.get(asset) ?? 0) !== (stored.get(asset) ?? 0))
    .map((asset) => ({
      code: 'holding_mismatch' as const,
      detail: `holding of ${asset} differs from the sum of its completed trades`,
      expected: formatQuantity(computed.get(asset) ?? 0),
      actual: formatQuantity(stored.get(asset) ?? 0),
    }));
}

/**
 * SPEC §6.1: current = Σ completed credits − Σ completed debits (amounts are signed), held = Σ
 * pending holds (pending debits), available ≥ 0. Cancelled and failed transactions count for nothing.
 * Each asset holding equals the signed quantities of its completed trades.
 */
export function reconcileLedger(
  userId: string,
  balance: Balance | null,
  transactions: readonly LedgerTransaction[],
  holdings: readonly HoldingSnapshot[] = [],
): ReconcileReport {
  let current = 0;
  let held = 0;
  const mismatches: Mismatch[] = [];
  for (const tx of transactions) {
    if (tx.status === 'completed') current += tx.amountCents;
    else if (tx.status === 'pending' && tx.amountCents < 0) held -= tx.amountCents;
    else if (tx.status === 'pending') {
      mismatches.push({
        code: 'pending_credit',
        detail: `transaction ${tx.transactionId} is a pending credit, which nothing in the ledger creates`,
      });
    }
  }
  if (!balance) {
    mismatches.push({
      code: 'balance_missing',
      detail: `${transactions.length} transaction(s) exist but the user has no balance item`,
    });
  } else {
    if (balance.currentCents !== current) {
      mismatches.push({
        code: 'current_balance_mismatch',
        detail: 'current balance differs from the sum of completed transactions',
        expected: formatCents(current),
        actual: formatCents(balance.currentCents),
      });
    }
    if (balance.heldCents !== held) {
      mismatches.push({
        code: 'held_balance_mismatch',
        detail: 'held balance differs from the sum of pending holds',
        expected: formatCents(held),
        actual: formatCents(balance.heldCents),
      });
    }
    if (balance.heldCents < 0) {
      mismatches.push({
        code: 'negative_held_balance',
        detail: 'held balance is negative',
        actual: formatCents(balance.heldCents),
      });
    }
    if (availableCents(balance) < 0) {
      mismatches.push({
        code: 'negative_available_balance',
        detail: 'available balance is negative',
        actual: formatCents(availableCents(balance)),
      });
    }
  }
  mismatches.push(...reconcileHoldings(transactions, holdings));
  return {
    user_id: userId,
    ok: mismatches.length === 0,
    stored: balance && {
      current_balance: formatCents(balance.currentCents),
      held_balance: formatCents(balance.heldCents),
      available_balance: formatCents(availableCents(balance)),
      version: balance.version,
    },
    computed: { current_balance: formatCents(current), held_balance: formatCents(held) },
    transaction_count: transactions.length,
    mismatches,
  };
}
