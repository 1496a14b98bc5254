import type { Balance, LedgerTransaction, TransactionStatus, TransactionType } from './ledger';
import { reconcileLedger } from './reconcile';

const balance = (currentCents: number, heldCents = 0): Balance => ({
  userId: 'u',
  currentCents,
  heldCents,
  version: 3,
  updatedAt: '2025-01-01T00:00:00.000Z',
});
let n = 0;
const tx = (
  type: TransactionType,
  amountCents: number,
  status: TransactionStatus = 'completed',
): LedgerTransaction => ({
  transactionId: `T${++n}`,
  userId: 'u',
  type,
  amountCents,
  status,
  description: null,
  referenceId: null,
  balanceAfterCents: 0,
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-01T00:00:00.000Z',
});

describe('reconcileLedger', () => {
  const ledger = [
    tx('deposit', 10000),
    tx('withdraw', -2500),
    tx('order_payment', -1000, 'pending'),
    tx('order_payment', -500, 'cancelled'),
    tx('order_payment', -700, 'completed'),
    tx('order_sale', 300),
    tx('withdraw', -99, 'failed'),
  ];

  it('is clean when current = completed credits − debits and held = pending holds', () => {
    const report = reconcileLedger('u', balance(7100, 1000), ledger);
    expect(report).toMatchObject({
      ok: true,
      mismatches: [],
      transaction_count: 7,
      computed: { current_balance: '71.00', held_balance: '10.00' },
      stored: {
        current_balance: '71.00',
        held_balance: '10.00',
        available_balance: '61.00',
        version: 3,
      },
    });
  });

  it('reports a current balance that the ledger does not explain', () => {
    const report = reconcileLedger('u', balance(7200, 1000), ledger);
    expect(report.ok).toBe(false);
    expect(report.mismatches).toEqual([
      expect.objectContaining({
        code: 'current_balance_mismatch',
        expected: '71.00',
        actual: '72.00',
      }),
    ]);
  });

  it('reports a held balance that differs from the pending holds', () => {
    const report = reconcileLedger('u', balance(7100, 0), ledger);
    expect(report.mismatches.map((m) => m.code)).toEqual(['held_balance_mismatch']);
  });

  it('reports a negative available balance', () => {
    const report = reconcileLedger('u', balance(500, 1000), [
      tx('deposit', 500),
      tx('order_payment', -1000, 'pending'),
    ]);
    expect(report.mismatches.map((m) => m.code)).toEqual(['negative_available_balance']);
  });

  it('reports transactions without a balance item', () => {
    const report = reconcileLedger('u', null, [tx('deposit', 100)]);
    expect(report).toMatchObject({
      ok: false,
      stored: null,
      mismatches: [{ code: 'balance_missing' }],
    });
  });

  it('reports a pending credit, which nothing creates', () => {
    const report = reconcileLedger('u', balance(0), [tx('deposit', 100, 'pending')]);
    expect(report.mismatches.map((m) => m.code)).toEqual(['pending_credit']);
  });

  it('is clean for a fresh zero balance', () => {
    expect(reconcileLedger('u', balance(0), []).ok).toBe(true);
  });

  it('checks each holding against the signed quantities of its completed trades', () => {
    const trade = (
      type: 'order_payment' | 'order_sale',
      cents: number,
      units: number,
      status: 'completed' | 'cancelled' = 'completed',
    ) => ({
      ...tx(type, cents, status),
      asset: { assetId: 'BTC', quantityUnits: units },
    });
    const ledger = [
      tx('deposit', 100_000),
      trade('order_payment', -24_000, 50_000_000),
      trade('order_sale', 10_000, -20_000_000),
      trade('order_payment', -5_000, 70_000_000, 'cancelled'),
    ];
    const clean = reconcileLedger('u', balance(86_000), ledger, [
      { assetId: 'BTC', quantityUnits: 30_000_000 },
    ]);
    expect(clean.mismatches).toEqual([]);
    const drifted = reconcileLedger('u', balance(86_000), ledger, [
      { assetId: 'BTC', quantityUnits: 30_000_001 },
      { assetId: 'ETH', quantityUnits: 1 },
    ]);
    expect(drifted.mismatches).toEqual([
      expect.objectContaining({ code: 'holding_mismatch', expected: '0.3', actual: '0.30000001' }),
      expect.objectContaining({ code: 'holding_mismatch', expected: '0', actual: '0.00000001' }),
    ]);
  });

  it('describes every mismatch in words, with the amounts', () => {
    const pendingCredit = tx('deposit', 100, 'pending');
    const report = reconcileLedger('u', balance(50, -20), [tx('deposit', 10), pendingCredit]);
    expect(report.ok).toBe(false);
    expect(report.mismatches).toEqual([
      {
        code: 'pending_credit',
        detail: `transaction ${pendingCredit.transactionId} is a pending credit, which nothing in the ledger creates`,
      },
      {
        code: 'current_balance_mismatch',
        detail: 'current balance differs from the sum of completed transactions',
        expected: '0.10',
        actual: '0.50',
      },
      {
        code: 'held_balance_mismatch',
        detail: 'held balance differs from the sum of pending holds',
        expected: '0.00',
        actual: '-0.20',
      },
      { code: 'negative_held_balance', detail: 'held balance is negative', actual: '-0.20' },
    ]);
    expect(
      reconcileLedger('u', balance(100, 150), [
        tx('deposit', 100),
        tx('order_payment', -150, 'pending'),
      ]).mismatches,
    ).toEqual([
      {
        code: 'negative_available_balance',
        detail: 'available balance is negative',
        actual: '-0.50',
      },
    ]);
    expect(reconcileLedger('u', null, [tx('deposit', 1), tx('deposit', 2)]).mismatches).toEqual([
      {
        code: 'balance_missing',
        detail: '2 transaction(s) exist but the user has no balance item',
      },
    ]);
  });

  it('a pending transaction of zero is not a hold: it is reported like a pending credit', () => {
    const zero = tx('order_payment', 0, 'pending');
    const report = reconcileLedger('u', balance(0), [zero]);
    expect(report.computed.held_balance).toBe('0.00');
    expect(report.mismatches.map((m) => m.code)).toEqual(['pending_credit']);
  });

  it('lists holding mismatches sorted by asset id', () => {
    const bought = (assetId: string, units: number): LedgerTransaction => ({
      ...tx('order_payment', -1),
      asset: { assetId, quantityUnits: units },
    });
    const report = reconcileLedger(
      'u',
      balance(-3),
      [bought('ZED', 1), bought('ALPHA', 2), bought('MID', 3)],
      [],
    );
    const holdings = report.mismatches.filter((m) => m.code === 'holding_mismatch');
    expect(holdings.map((m) => m.detail)).toEqual([
      'holding of ALPHA differs from the sum of its completed trades',
      'holding of MID differs from the sum of its completed trades',
      'holding of ZED differs from the sum of its completed trades',
    ]);
  });
});
