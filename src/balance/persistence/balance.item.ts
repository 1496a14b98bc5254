import { ItemKey, keys } from '../../database/keys';

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
