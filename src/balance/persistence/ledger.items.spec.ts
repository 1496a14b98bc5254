import { keys } from '../../database/keys';
import type { BalanceItem } from './balance.item';
import { toBalance, toTransaction, TransactionItem } from './ledger.items';

/** Items as older versions of the service wrote them: optional attributes absent. */
describe('ledger items read back', () => {
  it('a balance item without held_cents or version reads as zero held, version 0', () => {
    const item = {
      ...keys.balance('u1'),
      entity: 'balance',
      user_id: 'u1',
      current_cents: 1_500,
      updated_at: '2025-01-01T00:00:00.000Z',
    } as unknown as BalanceItem;
    expect(toBalance(item)).toEqual({
      userId: 'u1',
      currentCents: 1_500,
      heldCents: 0,
      version: 0,
      updatedAt: '2025-01-01T00:00:00.000Z',
    });
    expect(toBalance({ ...item, held_cents: 200, version: 4 })).toMatchObject({
      heldCents: 200,
      version: 4,
    });
  });

  const minimal = {
    ...keys.transaction('u1', '01JNM7Z5X0000000000000000A'),
    entity: 'transaction',
    user_id: 'u1',
    transaction_id: '01JNM7Z5X0000000000000000A',
    transaction_type: 'deposit',
    amount_cents: 100,
    status: 'completed',
    balance_after_cents: 100,
    created_at: '2025-01-01T00:00:00.000Z',
  } as unknown as TransactionItem;

  it('a transaction item without the optional attributes reads as nulls, updated = created', () => {
    expect(toTransaction(minimal)).toEqual({
      transactionId: '01JNM7Z5X0000000000000000A',
      userId: 'u1',
      type: 'deposit',
      amountCents: 100,
      status: 'completed',
      description: null,
      referenceId: null,
      balanceAfterCents: 100,
      createdAt: '2025-01-01T00:00:00.000Z',
      updatedAt: '2025-01-01T00:00:00.000Z',
    });
  });

  it('reads the hold, asset, cancel reason and resolution token when present, and only then', () => {
    const full = {
      ...minimal,
      description: 'd',
      reference_id: 'order-1',
      updated_at: '2025-01-02T00:00:00.000Z',
      hold_cents: 0,
      hold_expires_at: '2025-01-01T00:15:00.000Z',
      asset_id: 'BTC',
      asset_quantity_units: 0,
      cancel_reason: 'expired',
      resolution_token: 'tok',
    } as unknown as TransactionItem;
    expect(toTransaction(full)).toMatchObject({
      description: 'd',
      referenceId: 'order-1',
      updatedAt: '2025-01-02T00:00:00.000Z',
      // Zero is a value, not an absence.
      hold: { cents: 0, expiresAt: '2025-01-01T00:15:00.000Z' },
      asset: { assetId: 'BTC', quantityUnits: 0 },
      cancelReason: 'expired',
      resolvedBy: 'tok',
    });
    const halfHold = { ...minimal, hold_cents: 5 } as unknown as TransactionItem;
    expect(toTransaction(halfHold)).not.toHaveProperty('hold');
    const expiryOnly = {
      ...minimal,
      hold_expires_at: '2025-01-01T00:15:00.000Z',
    } as unknown as TransactionItem;
    expect(toTransaction(expiryOnly)).not.toHaveProperty('hold');
    const halfAsset = { ...minimal, asset_id: 'BTC' } as unknown as TransactionItem;
    expect(toTransaction(halfAsset)).not.toHaveProperty('asset');
  });
});
