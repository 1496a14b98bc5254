import { createHash } from 'node:crypto';
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { mayHaveTakenEffect } from '../../database/dynamodb.client';
import { cancellationCodes, isConditionFailure } from '../../database/dynamo-errors';
import { holdExpiryShard, keys } from '../../database/keys';
import { MAX_HOLDING_UNITS } from '../../common/money';
import { pinnedBalanceUpdate } from './balance.item';
import { toTransactionItem } from './ledger.items';
import type { OrderWrite, OrderWriteOutcome } from './order-ledger.repository';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
/** What each item of the TransactWriteItems is, in order (CancellationReasons follow them). */
export type OrderPart = 'balance' | 'transaction' | 'order' | 'holding' | 'hold_index';

export interface OrderTransaction {
  readonly input: TransactWriteCommandInput;
  readonly parts: readonly OrderPart[];
}

/** The same ClientRequestToken for every send of one write (≤ 36 characters). */
function requestToken(write: OrderWrite): string {
  return createHash('sha256')
    .update(`${write.transaction.userId}\n${write.token}`)
    .digest('base64url')
    .slice(0, 36);
}

function balanceItem(table: string, write: OrderWrite): TransactItem {
  return { Update: pinnedBalanceUpdate(table, write.balanceAfter, write.expectedVersion) };
}

function transactionItem(table: string, write: OrderWrite): TransactItem {
  const tx = write.transaction;
  if (write.isNew) {
    return {
      Put: {
        TableName: table,
        Item: toTransactionItem(tx, write.requestId),
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    };
  }
  const sets = [
    '#status = :status',
    'amount_cents = :amount',
    'balance_after_cents = :after',
    'updated_at = :now',
    'resolution_token = :token',
  ];
  const values: Record<string, unknown> = {
    ':status': tx.status,
    ':amount': tx.amountCents,
    ':after': tx.balanceAfterCents,
    ':now': tx.updatedAt,
    ':token': write.token,
    ':pending': 'pending',
  };
  if (tx.asset) {
    sets.push('asset_id = :asset', 'asset_quantity_units = :units');
    values[':asset'] = tx.asset.assetId;
    values[':units'] = tx.asset.quantityUnits;
  }
  if (tx.cancelReason) {
    sets.push('cancel_reason = :reason');
    values[':reason'] = tx.cancelReason;
  }
  return {
    Update: {
      TableName: table,
      Key: keys.transaction(tx.userId, tx.transactionId),
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: '#status = :pending',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: values,
    },
  };
}

function orderItem(table: string, write: OrderWrite): TransactItem | undefined {
  if (!write.order) return undefined;
  const tx = write.transaction;
  return {
    Put: {
      TableName: table,
      Item: {
        ...keys.order(tx.userId, write.order.orderId),
        entity: 'order',
        user_id: tx.userId,
        order_id: write.order.orderId,
        request_hash: write.order.requestHash,
        transaction_id: tx.transactionId,
        created_at: tx.createdAt,
      },
      ConditionExpression: 'attribute_not_exists(PK)',
    },
  };
}

/** ADD to the holding; a debit needs the quantity, a credit may not pass MAX_HOLDING_UNITS. */
function holdingItem(table: string, write: OrderWrite): TransactItem | undefined {
  if (!write.holding) return undefined;
  const { assetId, deltaUnits } = write.holding;
  const debit = deltaUnits < 0;
  return {
    Update: {
      TableName: table,
      Key: keys.asset(write.transaction.userId, assetId),
      UpdateExpression:
        'SET entity = :entity, user_id = :user, asset_id = :asset, updated_at = :now ADD quantity_units :delta',
      ConditionExpression: debit
        ? 'quantity_units >= :needed'
        : 'attribute_not_exists(quantity_units) OR quantity_units <= :room',
      ExpressionAttributeValues: {
        ':entity': 'holding',
        ':user': write.transaction.userId,
        ':asset': assetId,
        ':now': write.transaction.updatedAt,
        ':delta': deltaUnits,
        ...(debit ? { ':needed': -deltaUnits } : { ':room': MAX_HOLDING_UNITS - deltaUnits }),
      },
    },
  };
}

function holdIndexItem(table: string, write: OrderWrite): TransactItem | undefined {
  const tx = write.transaction;
  if (!write.holdIndex || !tx.hold) return undefined;
  const key = keys.holdExpiry(
    holdExpiryShard(tx.transactionId),
    tx.hold.expiresAt,
    tx.userId,
    tx.transactionId,
  );
  if (write.holdIndex === 'remove') return { Delete: { TableName: table, Key: key } };
  return {
    Put: {
      TableName: table,
      Item: {
        ...key,
        entity: 'hold_expiry',
        user_id: tx.userId,
        transaction_id: tx.transactionId,
        expires_at_iso: tx.hold.expiresAt,
      },
    },
  };
}

/** The one TransactWriteItems of a hold, a completion, a cancellation, a release or a sell. */
export function orderTransaction(table: string, write: OrderWrite): OrderTransaction {
  const candidates: Array<[OrderPart, TransactItem | undefined]> = [
    ['balance', balanceItem(table, write)],
    ['transaction', transactionItem(table, write)],
    ['order', orderItem(table, write)],
    ['holding', holdingItem(table, write)],
    ['hold_index', holdIndexItem(table, write)],
  ];
  const present = candidates.filter((c): c is [OrderPart, TransactItem] => c[1] !== undefined);
  return {
    input: { TransactItems: present.map((c) => c[1]), ClientRequestToken: requestToken(write) },
    parts: present.map((c) => c[0]),
  };
}

/**
 * What a failed order write means (see movementOutcome for the reasoning). A failed condition on
 * a new transaction item means an earlier send of this very write landed; on a pending one, that
 * it is no longer pending (the adapter then checks whether this write resolved it). The order
 * record is checked before the holding, so a concurrent twin of a sell is replayed, not refused.
 * Undefined: certainly not applied (the caller answers 503).
 */
export function orderOutcome(
  err: unknown,
  write: OrderWrite,
  parts: readonly OrderPart[],
): OrderWriteOutcome | undefined {
  const codes = cancellationCodes(err);
  if (!codes) return mayHaveTakenEffect(err) ? 'unknown' : undefined;
  const failed = (part: OrderPart) => {
    const i = parts.indexOf(part);
    return i >= 0 && isConditionFailure(codes[i]);
  };
  if (failed('transaction')) return write.isNew ? 'applied' : 'not_pending';
  if (failed('order')) return 'order_exists';
  if (failed('holding')) {
    return (write.holding?.deltaUnits ?? 0) < 0 ? 'insufficient_holdings' : 'holding_limit';
  }
  if (failed('balance')) return 'balance_changed';
  if (mayHaveTakenEffect(err)) return 'unknown';
  if (codes.includes('TransactionConflict')) return 'contended';
  return undefined;
}
