import { AppError, RateLimitedError, UnauthorizedError } from '../common/errors';

/** Unknown user, wrong password or a disabled account: one body for all. */
export class InvalidCredentialsError extends UnauthorizedError {
  constructor() {
    super('Invalid username or password.', 'invalid_credentials');
  }
}

/** A bad, expired or revoked access token (the same answer whatever the reason). */
export class InvalidTokenError extends UnauthorizedError {
  constructor() {
    super('The access token is invalid, expired or revoked.', 'invalid_token');
  }
}

/** A refresh token that is malformed, expired, revoked or already used. */
export class InvalidRefreshTokenError extends UnauthorizedError {
  constructor() {
    super('The refresh token is invalid, expired or revoked.', 'invalid_refresh_token');
  }
}

/** Too many failed logins for one account (per-account lockout, whatever the client IP). */
export class AccountLockedError extends RateLimitedError {
  constructor(retryAfterSeconds: number) {
    super(
      retryAfterSeconds,
      'account_locked',
      'Too many failed attempts for this account; try again later.',
    );
  }
}

/** A password change whose `current_password` does not match (422: the bearer token itself is fine). */
export class InvalidCurrentPasswordError extends AppError {
  constructor() {
    super(422, 'invalid_current_password', 'The current password is incorrect.', {
      errors: [{ field: 'current_password', message: 'current_password is incorrect' }],
    });
  }
}
