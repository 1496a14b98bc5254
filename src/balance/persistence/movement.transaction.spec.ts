import { MAY_HAVE_TAKEN_EFFECT } from '../../database/dynamodb.client';
import type { MovementWrite } from './balance.repository';
import { movementOutcome, movementTransaction } from './movement.transaction';

const now = '2025-03-04T05:06:07.089Z';
const write = (withKey: boolean): MovementWrite => ({
  kind: 'withdraw',
  amountCents: 250,
  expectedVersion: 7,
  balanceAfter: { userId: 'u', currentCents: 750, heldCents: 100, version: 8, updatedAt: now },
  transaction: {
    transactionId: '01JNM7Z5X0000000000000000A',
    userId: 'u',
    type: 'withdraw',
    amountCents: -250,
    status: 'completed',
    description: null,
    referenceId: null,
    balanceAfterCents: 750,
    createdAt: now,
    updatedAt: now,
  },
  dailyLimit: { day: '2025-03-04', limitCents: 500_000 },
  idempotency: withKey
    ? { key: 'k', requestHash: 'h', response: { statusCode: 201, body: '{}' }, ttlSeconds: 86400 }
    : undefined,
});

/** A cancellation as the client marks it: by default no earlier send of it may have landed. */
const cancelled = (...codes: string[]) => cancelledAfter(false, ...codes);
const cancelledAfter = (mayHaveTakenEffect: boolean, ...codes: string[]) =>
  Object.assign(new Error('cancelled'), {
    name: 'TransactionCanceledException',
    CancellationReasons: codes.map((Code) => ({ Code })),
    [MAY_HAVE_TAKEN_EFFECT]: mayHaveTakenEffect,
  });

describe('movementTransaction', () => {
  it('writes balance, transaction, daily counter and idempotency record in one request', () => {
    const input = movementTransaction('table', write(true));
    const items = input.TransactItems!;
    expect(items).toHaveLength(4);
    expect(items[0].Update).toMatchObject({
      Key: { PK: 'u', SK: 'balance' },
      ConditionExpression: 'version = :expected AND current_cents >= :minCurrent',
      ExpressionAttributeValues: {
        ':expected': 7,
        ':next': 8,
        ':current': 750,
        ':minCurrent': 350,
      },
    });
    expect(items[1].Put).toMatchObject({
      Item: { SK: 'TX#01JNM7Z5X0000000000000000A', amount_cents: -250, balance_after_cents: 750 },
      ConditionExpression: 'attribute_not_exists(PK)',
    });
    expect(items[2].Update).toMatchObject({
      Key: { PK: 'u', SK: 'LIMIT#withdraw#2025-03-04' },
      ExpressionAttributeValues: { ':amount': 250, ':maxUsed': 499_750 },
    });
    expect(items[3].Put?.Item).toMatchObject({ SK: 'IDEMPOTENCY#k', request_hash: 'h' });
    expect(input.ClientRequestToken).toMatch(/^[A-Za-z0-9_-]{36}$/);
    expect(movementTransaction('table', write(true)).ClientRequestToken).toBe(
      input.ClientRequestToken,
    );
  });

  it('leaves the idempotency record out without a key', () => {
    expect(movementTransaction('table', write(false)).TransactItems).toHaveLength(3);
  });
});

describe('movementOutcome', () => {
  it.each<[string[], string]>([
    [
      ['ConditionalCheckFailed', 'None', 'None', 'ConditionalCheckFailed'],
      'idempotency_key_exists',
    ],
    [['ConditionalCheckFailed', 'ConditionalCheckFailed', 'None', 'None'], 'applied'],
    [['ConditionalCheckFailed', 'None', 'ConditionalCheckFailed', 'None'], 'daily_limit_exceeded'],
    [['ConditionalCheckFailed', 'None', 'None', 'None'], 'balance_changed'],
    [['TransactionConflict', 'None', 'None', 'None'], 'contended'],
  ])('maps reasons %j to %s', (codes, outcome) => {
    expect(movementOutcome(cancelled(...codes), write(true))).toBe(outcome);
  });

  it('reports its own transaction item as applied, even when the key record also exists', () => {
    // A resend of a write that landed: its transaction, idempotency record and version all exist.
    const codes = ['ConditionalCheckFailed', 'ConditionalCheckFailed', 'None'];
    expect(movementOutcome(cancelled(...codes, 'ConditionalCheckFailed'), write(true))).toBe(
      'applied',
    );
  });

  /** An SDK error as the client's tracking marks it (over all of the request's sends). */
  const sdkError = (name: string, mayHaveTakenEffect: boolean) =>
    Object.assign(new Error(name), { name, [MAY_HAVE_TAKEN_EFFECT]: mayHaveTakenEffect });

  it('leaves failures that certainly wrote nothing to the store-error mapping (503)', () => {
    expect(
      movementOutcome(cancelled('ThrottlingError', 'None', 'None'), write(false)),
    ).toBeUndefined();
    expect(
      movementOutcome(sdkError('ResourceNotFoundException', false), write(false)),
    ).toBeUndefined();
    expect(movementOutcome(sdkError('ThrottlingException', false), write(false))).toBeUndefined();
    expect(movementOutcome(sdkError('ECONNREFUSED', false), write(false))).toBeUndefined();
  });

  it('reports unknown when the write may have landed or may still land', () => {
    const unknown = [
      // An earlier send with this ClientRequestToken is still being processed.
      sdkError('TransactionInProgressException', true),
      // Request timeout, lost connection, 5xx: the request may have been processed.
      sdkError('TimeoutError', true),
      sdkError('InternalServerError', true),
      // A 4xx on the last send after an earlier one timed out.
      sdkError('ThrottlingException', true),
      // Not marked by the client: unknown too.
      Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      Object.assign(new Error('x'), { name: 'TransactionInProgressException' }),
    ];
    for (const err of unknown) expect(movementOutcome(err, write(false))).toBe('unknown');
  });

  it('reports unknown for an inconclusive cancellation after a send that may have landed', () => {
    // Send 1 timed out (may still land); the SDK's same-token send 2 was cancelled by a conflict,
    // throttling or nothing in particular: that says nothing about send 1.
    for (const codes of [
      ['TransactionConflict', 'None', 'None', 'None'],
      ['None', 'ThrottlingError', 'None', 'None'],
      ['None', 'None', 'None', 'None'],
      [],
    ]) {
      expect(movementOutcome(cancelledAfter(true, ...codes), write(true))).toBe('unknown');
    }
    // Unmarked by the client: "may have" too.
    const unmarked = Object.assign(new Error('cancelled'), {
      name: 'TransactionCanceledException',
      CancellationReasons: [{ Code: 'TransactionConflict' }],
    });
    expect(movementOutcome(unmarked, write(false))).toBe('unknown');
  });

  it('keeps conclusive condition failures after a send that may have landed', () => {
    const after = (...codes: string[]) =>
      movementOutcome(cancelledAfter(true, ...codes), write(true));
    expect(after('ConditionalCheckFailed', 'ConditionalCheckFailed', 'None', 'None')).toBe(
      'applied',
    );
    expect(after('None', 'None', 'None', 'ConditionalCheckFailed')).toBe('idempotency_key_exists');
    expect(after('None', 'None', 'ConditionalCheckFailed', 'None')).toBe('daily_limit_exceeded');
    expect(after('ConditionalCheckFailed', 'TransactionConflict', 'None', 'None')).toBe(
      'balance_changed',
    );
  });
});
