import { createHash } from 'node:crypto';
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { mayHaveTakenEffect } from '../../database/dynamodb.client';
import { keys } from '../../database/keys';
import type { LimitedMovementKind } from '../domain/ledger';
import type { MovementOutcome, MovementWrite } from './balance.repository';
import { pinnedBalanceUpdate } from './balance.item';
import { limitCounterExpiry, toIdempotencyItem, toTransactionItem } from './ledger.items';

/**
 * Positions of the items in a movement's TransactWriteItems (CancellationReasons follow them): the
 * daily counter is there for deposits and withdrawals, not for adjustments.
 */
const BALANCE = 0;
const TRANSACTION = 1;
const LIMIT = 2;
const idempotencyIndex = (write: MovementWrite) => (write.dailyLimit ? 3 : 2);

interface CancellationReason {
  Code?: string;
}

function cancellationReasons(err: unknown): CancellationReason[] | undefined {
  if ((err as { name?: string } | null)?.name !== 'TransactionCanceledException') return undefined;
  return (err as { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? [];
}

/**
 * ClientRequestToken (≤ 36 chars): the same for every send of one write (SDK retries, and resends
 * that settle an unknown outcome), distinct per write. DynamoDB answers a same-token resend of a
 * committed write with success for 10 minutes; after that the transaction item's condition does.
 */
function requestToken(write: MovementWrite): string {
  return createHash('sha256')
    .update(
      [
        write.transaction.userId,
        write.idempotency?.key ?? '',
        write.idempotency?.requestHash ?? '',
        write.transaction.transactionId,
      ].join('\n'),
    )
    .digest('base64url')
    .slice(0, 36);
}

/**
 * The one TransactWriteItems of a deposit or withdrawal: the balance (pinned to the version read),
 * the new transaction item, the daily counter and, with a key, the idempotency record.
 */
export function movementTransaction(
  table: string,
  write: MovementWrite,
): TransactWriteCommandInput {
  const { transaction: tx, balanceAfter: after } = write;
  const userId = tx.userId;
  const now = new Date(after.updatedAt);
  // A withdrawal or a negative adjustment: never below the held amount (available ≥ 0).
  const debit = tx.amountCents < 0;
  const balanceUpdate = pinnedBalanceUpdate(
    table,
    after,
    write.expectedVersion,
    debit
      ? {
          condition: 'current_cents >= :minCurrent',
          values: { ':minCurrent': after.heldCents + write.amountCents },
        }
      : undefined,
  );
  const items: NonNullable<TransactWriteCommandInput['TransactItems']> = [
    { Update: balanceUpdate },
    {
      Put: {
        TableName: table,
        Item: toTransactionItem(tx, write.requestId),
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    },
  ];
  if (write.dailyLimit) {
    items.push({
      Update: {
        TableName: table,
        Key: keys.dailyLimit(userId, write.kind as LimitedMovementKind, write.dailyLimit.day),
        UpdateExpression: 'SET entity = :entity, expires_at = :ttl ADD used_cents :amount',
        ConditionExpression: 'attribute_not_exists(used_cents) OR used_cents <= :maxUsed',
        ExpressionAttributeValues: {
          ':entity': 'daily_limit',
          ':ttl': limitCounterExpiry(write.dailyLimit.day),
          ':amount': write.amountCents,
          ':maxUsed': write.dailyLimit.limitCents - write.amountCents,
        },
      },
    });
  }
  if (write.idempotency) {
    const { key, requestHash, response, ttlSeconds } = write.idempotency;
    items.push({
      Put: {
        TableName: table,
        Item: toIdempotencyItem(
          userId,
          key,
          requestHash,
          response,
          tx.transactionId,
          now,
          ttlSeconds,
        ),
        // Expired from its expires_at second on, as findIdempotencyRecord reads it.
        ConditionExpression: 'attribute_not_exists(PK) OR expires_at <= :nowSeconds',
        ExpressionAttributeValues: { ':nowSeconds': Math.floor(now.getTime() / 1000) },
      },
    });
  }
  return { TransactItems: items, ClientRequestToken: requestToken(write) };
}

/**
 * What a failed movement transaction means. A condition failure in the CancellationReasons (they
 * follow the items, in order) is DynamoDB's definite answer for this write: a same-token resend of a
 * committed write would have succeeded instead, or failed its own transaction item's condition.
 * Any other cancellation (`TransactionConflict`, `ThrottlingError`, only `None`) proves nothing
 * about an earlier send of the request: when one of them may have taken effect (e.g. it timed out
 * and may still land), the outcome is `unknown`, else `contended` for a conflict. Otherwise:
 * undefined when the write certainly did not land (no send connected, or DynamoDB refused every
 * send with a 4xx other than TransactionInProgressException; tracked by the SDK client over all
 * retries), and the caller answers 503; `unknown` when it may have landed or may still land (in
 * progress, timeout, lost connection, 5xx).
 */
export function movementOutcome(err: unknown, write: MovementWrite): MovementOutcome | undefined {
  const reasons = cancellationReasons(err);
  if (!reasons) return mayHaveTakenEffect(err) ? 'unknown' : undefined;
  const failed = (i: number) => reasons[i]?.Code === 'ConditionalCheckFailed';
  // This write's own (unique) transaction id already exists: an earlier send of it landed.
  // Checked first: that send also wrote the idempotency record and moved the version.
  if (failed(TRANSACTION)) return 'applied';
  if (write.idempotency && failed(idempotencyIndex(write))) return 'idempotency_key_exists';
  if (write.dailyLimit && failed(LIMIT)) return 'daily_limit_exceeded';
  if (failed(BALANCE)) return 'balance_changed';
  // Not conclusive: an earlier send of this request (same token) may have landed or may still land.
  if (mayHaveTakenEffect(err)) return 'unknown';
  if (reasons.some((r) => r.Code === 'TransactionConflict')) return 'contended';
  return undefined;
}
