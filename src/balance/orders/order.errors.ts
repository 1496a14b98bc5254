import { AppError, ConflictError, NotFoundError } from '../../common/errors';

export class TransactionNotFoundError extends NotFoundError {
  constructor() {
    super('The user has no such pending-capable transaction.');
  }
}

export class TransactionNotPendingError extends ConflictError {
  constructor() {
    super('transaction_not_pending', 'The transaction was already completed or cancelled.');
  }
}

export class AmountExceedsHoldError extends AppError {
  constructor(held: string) {
    super(
      422,
      'amount_exceeds_hold',
      `The amount is larger than the ${held} USD held for this order.`,
      {
        errors: [{ field: 'amount', message: `amount must not exceed the held ${held}` }],
      },
    );
  }
}

export class InsufficientHoldingsError extends AppError {
  constructor() {
    super(422, 'insufficient_holdings', 'The user holds less of this asset than the quantity.');
  }
}

export class HoldingLimitError extends AppError {
  constructor() {
    super(422, 'holding_limit_exceeded', 'A holding of one asset may not exceed 90000000 units.');
  }
}

export class OrderIdReusedError extends AppError {
  constructor() {
    super(
      422,
      'idempotency_key_reused',
      'This order_id was already used for this user with a different request.',
    );
  }
}
