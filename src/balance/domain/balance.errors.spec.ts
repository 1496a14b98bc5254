import type { AppError } from '../../common/errors';
import {
  AmountExceedsHoldError,
  HoldingLimitError,
  InsufficientHoldingsError,
  OrderIdReusedError,
  TransactionNotFoundError,
  TransactionNotPendingError,
} from '../orders/order.errors';
import {
  BalanceBusyError,
  BalanceNotFoundError,
  DailyLimitExceededError,
  IdempotencyKeyReusedError,
  InsufficientFundsError,
  InvalidCursorError,
  MovementOutcomeUnknownError,
} from './balance.errors';

describe('balance and order errors (the problem+json each one answers)', () => {
  it.each<[string, () => AppError, Partial<AppError>]>([
    [
      'InsufficientFundsError',
      () => new InsufficientFundsError(),
      {
        status: 422,
        code: 'insufficient_funds',
        detail: 'The available balance is lower than the requested amount.',
      },
    ],
    [
      'DailyLimitExceededError (deposit)',
      () => new DailyLimitExceededError('deposit', '10000.00'),
      {
        status: 422,
        code: 'daily_limit_exceeded',
        detail: 'This deposit would exceed the daily deposit limit of 10000.00 USD (UTC day).',
      },
    ],
    [
      'DailyLimitExceededError (withdraw)',
      () => new DailyLimitExceededError('withdraw', '5000.00'),
      {
        status: 422,
        code: 'daily_limit_exceeded',
        detail: 'This withdrawal would exceed the daily withdraw limit of 5000.00 USD (UTC day).',
      },
    ],
    [
      'IdempotencyKeyReusedError',
      () => new IdempotencyKeyReusedError(),
      {
        status: 422,
        code: 'idempotency_key_reused',
        detail: 'This Idempotency-Key was already used with a different request.',
      },
    ],
    [
      'BalanceNotFoundError',
      () => new BalanceNotFoundError(),
      { status: 404, code: 'not_found', detail: 'No balance exists for this user.' },
    ],
    [
      'BalanceBusyError',
      () => new BalanceBusyError(),
      {
        status: 503,
        detail: 'The balance is being changed by other requests; try again shortly.',
        headers: { 'Retry-After': '1' },
      },
    ],
    [
      'MovementOutcomeUnknownError',
      () => new MovementOutcomeUnknownError(),
      {
        status: 503,
        detail:
          'The account store did not confirm whether this operation was applied. Check the transaction history before repeating it; a request sent with an Idempotency-Key can safely be retried with the same key.',
        headers: { 'Retry-After': '1' },
      },
    ],
    [
      'InvalidCursorError',
      () => new InvalidCursorError(),
      {
        status: 422,
        code: 'validation_failed',
        errors: [{ field: 'cursor', message: 'cursor is not valid for this listing' }],
      },
    ],
    [
      'TransactionNotFoundError',
      () => new TransactionNotFoundError(),
      {
        status: 404,
        code: 'not_found',
        detail: 'The user has no such pending-capable transaction.',
      },
    ],
    [
      'TransactionNotPendingError',
      () => new TransactionNotPendingError(),
      {
        status: 409,
        code: 'transaction_not_pending',
        detail: 'The transaction was already completed or cancelled.',
      },
    ],
    [
      'AmountExceedsHoldError',
      () => new AmountExceedsHoldError('12.50'),
      {
        status: 422,
        code: 'amount_exceeds_hold',
        detail: 'The amount is larger than the 12.50 USD held for this order.',
        errors: [{ field: 'amount', message: 'amount must not exceed the held 12.50' }],
      },
    ],
    [
      'InsufficientHoldingsError',
      () => new InsufficientHoldingsError(),
      {
        status: 422,
        code: 'insufficient_holdings',
        detail: 'The user holds less of this asset than the quantity.',
      },
    ],
    [
      'HoldingLimitError',
      () => new HoldingLimitError(),
      {
        status: 422,
        code: 'holding_limit_exceeded',
        detail: 'A holding of one asset may not exceed 90000000 units.',
      },
    ],
    [
      'OrderIdReusedError',
      () => new OrderIdReusedError(),
      {
        status: 422,
        code: 'idempotency_key_reused',
        detail: 'This order_id was already used for this user with a different request.',
      },
    ],
  ])('%s', (_name, make, expected) => {
    expect(make()).toMatchObject(expected);
  });
});
