import type { AppError } from '../common/errors';
import {
  AccountLockedError,
  InvalidCredentialsError,
  InvalidCurrentPasswordError,
  InvalidRefreshTokenError,
  InvalidTokenError,
} from './auth.errors';

describe('auth errors (the problem+json each one answers)', () => {
  // Factories: built inside the test, so per-test coverage (mutation testing) sees them run.
  it.each<[string, () => AppError, Partial<AppError>]>([
    [
      'InvalidCredentialsError',
      () => new InvalidCredentialsError(),
      { status: 401, code: 'invalid_credentials', detail: 'Invalid username or password.' },
    ],
    [
      'InvalidTokenError',
      () => new InvalidTokenError(),
      {
        status: 401,
        code: 'invalid_token',
        detail: 'The access token is invalid, expired or revoked.',
      },
    ],
    [
      'InvalidRefreshTokenError',
      () => new InvalidRefreshTokenError(),
      {
        status: 401,
        code: 'invalid_refresh_token',
        detail: 'The refresh token is invalid, expired or revoked.',
      },
    ],
    [
      'AccountLockedError',
      () => new AccountLockedError(900),
      {
        status: 429,
        code: 'account_locked',
        detail: 'Too many failed attempts for this account; try again later.',
        headers: { 'Retry-After': '900' },
      },
    ],
    [
      'InvalidCurrentPasswordError',
      () => new InvalidCurrentPasswordError(),
      {
        status: 422,
        code: 'invalid_current_password',
        detail: 'The current password is incorrect.',
        errors: [{ field: 'current_password', message: 'current_password is incorrect' }],
      },
    ],
  ])('%s', (_name, make, expected) => {
    expect(make()).toMatchObject(expected);
  });
});
