import {
  AppError,
  NotFoundError,
  ServiceUnavailableError,
  ValidationFailedError,
} from '../../common/errors';

export class InsufficientFundsError extends AppError {
  constructor() {
    super(422, 'insufficient_funds', 'The available balance is lower than the requested amount.');
  }
}

export class DailyLimitExceededError extends AppError {
  constructor(kind: 'deposit' | 'withdraw', limit: string) {
    super(
      422,
      'daily_limit_exceeded',
      `This ${kind === 'deposit' ? 'deposit' : 'withdrawal'} would exceed the daily ${kind} limit of ${limit} USD (UTC day).`,
    );
  }
}

export class IdempotencyKeyReusedError extends AppError {
  constructor() {
    super(
      422,
      'idempotency_key_reused',
      'This Idempotency-Key was already used with a different request.',
    );
  }
}

export class BalanceNotFoundError extends NotFoundError {
  constructor() {
    super('No balance exists for this user.');
  }
}

/** Optimistic-concurrency retries ran out (one very hot balance): the client should retry. */
export class BalanceBusyError extends ServiceUnavailableError {
  constructor() {
    super('The balance is being changed by other requests; try again shortly.', 1);
  }
}

/**
 * DynamoDB never said whether a deposit or withdrawal landed, even after resending the same write:
 * it may have been applied. Nothing else is written for this request.
 */
export class MovementOutcomeUnknownError extends ServiceUnavailableError {
  constructor() {
    super(
      'The account store did not confirm whether this operation was applied. Check the transaction history before repeating it; a request sent with an Idempotency-Key can safely be retried with the same key.',
      1,
    );
  }
}

export class InvalidCursorError extends ValidationFailedError {
  constructor() {
    super([{ field: 'cursor', message: 'cursor is not valid for this listing' }]);
  }
}
