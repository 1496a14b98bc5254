import { ItemKey, keys } from '../../database/keys';
import type { Balance } from '../domain/ledger';

/** The stored Balance item (SPEC §5). Amounts are integer cents. */
export interface BalanceItem extends ItemKey {
  entity: 'balance';
  user_id: string;
  current_cents: number;
  held_cents: number;
  version: number;
  updated_at: string;
}

/** The zero balance written together with a new user, in the registration transaction. */
export function newBalanceItem(userId: string, now: string): BalanceItem {
  return {
    ...keys.balance(userId),
    entity: 'balance',
    user_id: userId,
    current_cents: 0,
    held_cents: 0,
    version: 0,
    updated_at: now,
  };
}

/**
 * The balance update every ledger write makes: SET all fields to the values the service decided,
 * only while the balance is still at the version it read (plus an optional extra condition).
 */
export function pinnedBalanceUpdate(
  table: string,
  after: Balance,
  expectedVersion: number,
  extra?: { condition: string; values: Record<string, number> },
) {
  return {
    TableName: table,
    Key: keys.balance(after.userId),
    UpdateExpression:
      'SET current_cents = :current, held_cents = :held, version = :next, updated_at = :now',
    ConditionExpression: extra
      ? `version = :expected AND ${extra.condition}`
      : 'version = :expected',
    ExpressionAttributeValues: {
      ':current': after.currentCents,
      ':held': after.heldCents,
      ':next': after.version,
      ':now': after.updatedAt,
      ':expected': expectedVersion,
      ...(extra?.values ?? {}),
    },
  };
}
