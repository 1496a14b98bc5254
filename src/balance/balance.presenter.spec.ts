import { presentBalance, presentMovement, presentTransaction } from './balance.presenter';
import type { Balance, LedgerTransaction } from './domain/ledger';

const balance: Balance = {
  userId: 'u1',
  currentCents: 12_345,
  heldCents: 2_000,
  version: 7,
  updatedAt: '2026-01-02T03:04:05.006Z',
};

const tx: LedgerTransaction = {
  transactionId: '01JNM7Z5X0000000000000000T',
  userId: 'u1',
  type: 'deposit',
  amountCents: 5,
  status: 'completed',
  description: 'Pocket money',
  referenceId: null,
  balanceAfterCents: 12_345,
  createdAt: '2026-01-02T03:04:05.006Z',
  updatedAt: '2026-01-02T03:04:05.007Z',
};

describe('balance presenter', () => {
  it('presents a balance as decimal strings, available = current − held', () => {
    expect(presentBalance(balance)).toEqual({
      user_id: 'u1',
      current_balance: '123.45',
      available_balance: '103.45',
      held_balance: '20.00',
      currency: 'USD',
      updated_at: '2026-01-02T03:04:05.006Z',
    });
  });

  it('presents a transaction with signed amounts, no asset and no hold expiry', () => {
    expect(presentTransaction({ ...tx, type: 'withdraw', amountCents: -1_050 })).toEqual({
      transaction_id: '01JNM7Z5X0000000000000000T',
      transaction_type: 'withdraw',
      amount: '-10.50',
      status: 'completed',
      description: 'Pocket money',
      reference_id: null,
      balance_after: '123.45',
      created_at: '2026-01-02T03:04:05.006Z',
      updated_at: '2026-01-02T03:04:05.007Z',
      asset: null,
      hold_expires_at: null,
    });
  });

  it('shows the hold expiry only while the payment is pending, and the asset with its quantity', () => {
    const hold = { cents: 500, expiresAt: '2026-01-02T03:19:05.006Z' };
    const pending = { ...tx, type: 'order_payment' as const, status: 'pending' as const, hold };
    expect(presentTransaction(pending).hold_expires_at).toBe('2026-01-02T03:19:05.006Z');
    expect(
      presentTransaction({
        ...pending,
        status: 'completed',
        asset: { assetId: 'BTC', quantityUnits: -25_000_000 },
      }),
    ).toMatchObject({ hold_expires_at: null, asset: { asset_id: 'BTC', quantity: '-0.25' } });
    expect(presentTransaction({ ...tx, status: 'pending' }).hold_expires_at).toBeNull();
  });

  it.each([
    ['deposit', 'Deposit completed.'],
    ['withdraw', 'Withdrawal completed.'],
    ['adjustment', 'Adjustment completed.'],
  ] as const)('presents a %s as a successful movement with its message', (kind, message) => {
    expect(presentMovement(kind, tx, balance)).toEqual({
      success: true,
      message,
      transaction: presentTransaction(tx),
      balance: presentBalance(balance),
      transaction_id: tx.transactionId,
      timestamp: tx.createdAt,
    });
  });
});
