import { AppError, ConflictError, NotFoundError, UnauthorizedError } from '../common/errors';

export class UsernameTakenError extends ConflictError {
  constructor() {
    super('username_taken', 'This username is already taken.');
  }
}

export class EmailTakenError extends ConflictError {
  constructor() {
    super('email_taken', 'An account with this e-mail address already exists.');
  }
}

export class UserNotFoundError extends NotFoundError {
  constructor() {
    super('The user does not exist.');
  }
}

/** The user item changed between read and write (e.g. two e-mail changes at once). */
export class ConcurrentUpdateError extends ConflictError {
  constructor() {
    super('concurrent_update', 'The profile was changed by another request; reload and retry.');
  }
}

/** A password change made through a session that was revoked while the change was in flight. */
export class ChangerSessionGoneError extends UnauthorizedError {
  constructor() {
    super('The access token is invalid, expired or revoked.', 'invalid_token');
  }
}

/** An e-mail link's token that is malformed, unknown, expired, superseded or already used. */
export class InvalidEmailTokenError extends AppError {
  constructor() {
    super(400, 'invalid_token', 'The link is invalid, expired or already used; request a new one.');
  }
}

/** EMAIL_VERIFICATION_REQUIRED: money cannot move until the address is confirmed. */
export class EmailNotVerifiedError extends AppError {
  constructor() {
    super(403, 'email_not_verified', 'Confirm your e-mail address first (see the link we sent).');
  }
}
