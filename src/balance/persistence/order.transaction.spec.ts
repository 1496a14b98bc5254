import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { MAY_HAVE_TAKEN_EFFECT } from '../../database/dynamodb.client';
import type { LedgerTransaction } from '../domain/ledger';
import type { OrderWrite } from './order-ledger.repository';
import { orderOutcome, orderTransaction } from './order.transaction';

const now = '2025-03-04T05:06:07.089Z';
const tx: LedgerTransaction = {
  transactionId: '01JNM7Z5X0000000000000000B',
  userId: 'u',
  type: 'order_payment',
  amountCents: -2_400,
  status: 'completed',
  description: 'Hold for order o-1',
  referenceId: 'o-1',
  balanceAfterCents: 7_600,
  createdAt: now,
  updatedAt: now,
  hold: { cents: 2_500, expiresAt: '2025-03-04T05:21:07.089Z' },
  asset: { assetId: 'BTC', quantityUnits: 50_000_000 },
};
const balanceAfter = { userId: 'u', currentCents: 7_600, heldCents: 0, version: 9, updatedAt: now };
const completion: OrderWrite = {
  operation: 'complete',
  token: 'tok-1',
  expectedVersion: 8,
  balanceAfter,
  transaction: tx,
  isNew: false,
  holding: { assetId: 'BTC', deltaUnits: 50_000_000 },
  holdIndex: 'remove',
};
const sale: OrderWrite = {
  operation: 'sell',
  token: 'tok-2',
  expectedVersion: 8,
  balanceAfter: { ...balanceAfter, currentCents: 20_000 },
  transaction: {
    ...tx,
    type: 'order_sale',
    amountCents: 10_000,
    hold: undefined,
    asset: { assetId: 'BTC', quantityUnits: -20_000_000 },
  },
  isNew: true,
  order: { orderId: 'o-2', requestHash: 'h' },
  holding: { assetId: 'BTC', deltaUnits: -20_000_000 },
};

const cancelled = (codes: string[], mayHaveTakenEffect = false) =>
  Object.assign(
    new TransactionCanceledException({
      message: 'cancelled',
      $metadata: {},
      CancellationReasons: codes.map((Code) => ({ Code })),
    }),
    { [MAY_HAVE_TAKEN_EFFECT]: mayHaveTakenEffect },
  );

describe('orderTransaction', () => {
  it('completes a hold: balance pinned to its version, pending-only update, holding credit, index entry removed', () => {
    const { input, parts } = orderTransaction('table', completion);
    expect(parts).toEqual(['balance', 'transaction', 'holding', 'hold_index']);
    const items = input.TransactItems!;
    expect(items[0].Update).toMatchObject({
      Key: { PK: 'u', SK: 'balance' },
      ConditionExpression: 'version = :expected',
      ExpressionAttributeValues: { ':expected': 8, ':next': 9, ':current': 7_600, ':held': 0 },
    });
    expect(items[1].Update).toMatchObject({
      Key: { PK: 'u', SK: 'TX#01JNM7Z5X0000000000000000B' },
      ConditionExpression: '#status = :pending',
      ExpressionAttributeValues: {
        ':status': 'completed',
        ':amount': -2_400,
        ':after': 7_600,
        ':token': 'tok-1',
        ':asset': 'BTC',
        ':units': 50_000_000,
      },
    });
    expect(items[2].Update).toMatchObject({
      Key: { PK: 'u', SK: 'ASSET#BTC' },
      ConditionExpression: 'attribute_not_exists(quantity_units) OR quantity_units <= :room',
      ExpressionAttributeValues: { ':delta': 50_000_000, ':room': 9e15 - 50_000_000 },
    });
    expect(items[3].Delete?.Key).toEqual({
      PK: expect.stringMatching(/^HOLDEXP#[0-3]$/),
      SK: '2025-03-04T05:21:07.089Z#u#01JNM7Z5X0000000000000000B',
    });
    expect(input.ClientRequestToken).toHaveLength(36);
    expect(orderTransaction('table', completion).input.ClientRequestToken).toBe(
      input.ClientRequestToken,
    );
    expect(
      orderTransaction('table', { ...completion, token: 'tok-3' }).input.ClientRequestToken,
    ).not.toBe(input.ClientRequestToken);
  });

  it('settles a sale: new transaction and order record only if absent, holding debit needs the quantity', () => {
    const { input, parts } = orderTransaction('table', sale);
    expect(parts).toEqual(['balance', 'transaction', 'order', 'holding']);
    const items = input.TransactItems!;
    expect(items[1].Put).toMatchObject({
      Item: { amount_cents: 10_000, asset_id: 'BTC', asset_quantity_units: -20_000_000 },
      ConditionExpression: 'attribute_not_exists(PK)',
    });
    expect(items[2].Put).toMatchObject({
      Item: { PK: 'u', SK: 'ORDER#o-2', request_hash: 'h', transaction_id: tx.transactionId },
      ConditionExpression: 'attribute_not_exists(PK)',
    });
    expect(items[3].Update).toMatchObject({
      ConditionExpression: 'quantity_units >= :needed',
      ExpressionAttributeValues: { ':delta': -20_000_000, ':needed': 20_000_000 },
    });
  });
});

describe('orderOutcome', () => {
  const parts = (w: OrderWrite) => orderTransaction('t', w).parts;

  it.each([
    [sale, ['None', 'ConditionalCheckFailed', 'ConditionalCheckFailed', 'None'], 'applied'],
    [completion, ['None', 'ConditionalCheckFailed', 'None', 'None'], 'not_pending'],
    [
      sale,
      ['ConditionalCheckFailed', 'None', 'ConditionalCheckFailed', 'ConditionalCheckFailed'],
      'order_exists',
    ],
    [sale, ['None', 'None', 'None', 'ConditionalCheckFailed'], 'insufficient_holdings'],
    [completion, ['None', 'None', 'ConditionalCheckFailed', 'None'], 'holding_limit'],
    [completion, ['ConditionalCheckFailed', 'None', 'None', 'None'], 'balance_changed'],
    [completion, ['TransactionConflict', 'None', 'None', 'None'], 'contended'],
  ] as const)('maps a cancellation to its meaning (%#)', (write, codes, outcome) => {
    expect(orderOutcome(cancelled([...codes]), write, parts(write))).toBe(outcome);
  });

  it('is unknown when an earlier send may have landed and nothing proves otherwise', () => {
    expect(
      orderOutcome(
        cancelled(['TransactionConflict', 'None', 'None', 'None'], true),
        completion,
        parts(completion),
      ),
    ).toBe('unknown');
    const timeout = Object.assign(new Error('socket hang up'), { [MAY_HAVE_TAKEN_EFFECT]: true });
    expect(orderOutcome(timeout, completion, parts(completion))).toBe('unknown');
  });

  it('is undefined (certainly not applied: 503) when no send connected', () => {
    const refused = Object.assign(new Error('ECONNREFUSED'), { [MAY_HAVE_TAKEN_EFFECT]: false });
    expect(orderOutcome(refused, completion, parts(completion))).toBeUndefined();
    expect(
      orderOutcome(
        cancelled(['ThrottlingError', 'None', 'None', 'None']),
        completion,
        parts(completion),
      ),
    ).toBeUndefined();
  });
});
