import { ConflictError, NotFoundError, UnauthorizedError } from '../common/errors';

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
