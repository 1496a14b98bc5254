import type { AppError } from '../common/errors';
import {
  ChangerSessionGoneError,
  ConcurrentUpdateError,
  EmailNotVerifiedError,
  EmailTakenError,
  InvalidEmailTokenError,
  UsernameTakenError,
  UserNotFoundError,
} from './users.errors';

describe('user errors (the problem+json each one answers)', () => {
  it.each<[string, () => AppError, Partial<AppError>]>([
    [
      'UsernameTakenError',
      () => new UsernameTakenError(),
      { status: 409, code: 'username_taken', detail: 'This username is already taken.' },
    ],
    [
      'EmailTakenError',
      () => new EmailTakenError(),
      {
        status: 409,
        code: 'email_taken',
        detail: 'An account with this e-mail address already exists.',
      },
    ],
    [
      'UserNotFoundError',
      () => new UserNotFoundError(),
      { status: 404, code: 'not_found', detail: 'The user does not exist.' },
    ],
    [
      'ConcurrentUpdateError',
      () => new ConcurrentUpdateError(),
      {
        status: 409,
        code: 'concurrent_update',
        detail: 'The profile was changed by another request; reload and retry.',
      },
    ],
    [
      // The same answer as any dead access token: the session was revoked mid-change.
      'ChangerSessionGoneError',
      () => new ChangerSessionGoneError(),
      {
        status: 401,
        code: 'invalid_token',
        detail: 'The access token is invalid, expired or revoked.',
      },
    ],
    [
      'InvalidEmailTokenError',
      () => new InvalidEmailTokenError(),
      {
        status: 400,
        code: 'invalid_token',
        detail: 'The link is invalid, expired or already used; request a new one.',
      },
    ],
    [
      'EmailNotVerifiedError',
      () => new EmailNotVerifiedError(),
      {
        status: 403,
        code: 'email_not_verified',
        detail: 'Confirm your e-mail address first (see the link we sent).',
      },
    ],
  ])('%s', (_name, make, expected) => {
    expect(make()).toMatchObject(expected);
  });
});
