import {
  AppError,
  ForbiddenError,
  NotFoundError,
  RateLimitedError,
  ServiceUnavailableError,
  UnauthorizedError,
  ValidationFailedError,
} from './app-error';
import { buildProblem, statusTitle } from './problem';

describe('client errors', () => {
  // Built inside each test (a factory), so that per-test coverage sees the constructors run.
  it.each<[string, () => AppError, Partial<AppError>]>([
    [
      'ValidationFailedError',
      () => new ValidationFailedError([{ field: 'amount', message: 'amount is required' }]),
      {
        status: 422,
        code: 'validation_failed',
        detail: 'The request is not valid.',
        errors: [{ field: 'amount', message: 'amount is required' }],
      },
    ],
    [
      'NotFoundError',
      () => new NotFoundError(),
      { status: 404, code: 'not_found', detail: 'The requested resource does not exist.' },
    ],
    [
      'ForbiddenError',
      () => new ForbiddenError(),
      { status: 403, code: 'forbidden', detail: 'You are not allowed to access this resource.' },
    ],
    [
      'UnauthorizedError',
      () => new UnauthorizedError(),
      {
        status: 401,
        code: 'unauthorized',
        detail: 'Authentication is required.',
        headers: { 'WWW-Authenticate': 'Bearer' },
      },
    ],
    [
      'ServiceUnavailableError',
      () => new ServiceUnavailableError(),
      {
        status: 503,
        code: 'service_unavailable',
        detail: 'A dependency is unavailable; try again shortly.',
        headers: { 'Retry-After': '1' },
      },
    ],
    [
      'RateLimitedError',
      () => new RateLimitedError(0),
      {
        status: 429,
        code: 'rate_limited',
        detail: 'Too many requests.',
        headers: { 'Retry-After': '1' },
      },
    ],
  ])('%s has its status, stable code and default detail', (name, make, expected) => {
    expect(make()).toMatchObject({ ...expected, name, message: expected.detail });
  });
});

describe('problem details', () => {
  it.each([
    [422, 'Unprocessable Content'],
    [418, 'Client Error'],
    [499, 'Client Error'],
    [500, 'Internal Server Error'],
    [502, 'Server Error'],
  ])('titles status %p "%s"', (status, title) => {
    expect(statusTitle(status)).toBe(title);
  });

  it('lists field errors only when there are some', () => {
    const errors = [{ field: 'amount', message: 'amount is required' }];
    expect(buildProblem(422, 'validation_failed', 'd', 'r1', { errors }).errors).toEqual(errors);
    expect(buildProblem(422, 'validation_failed', 'd', 'r1', { errors: [] })).not.toHaveProperty(
      'errors',
    );
    expect(buildProblem(404, 'not_found', 'd', 'r1')).not.toHaveProperty('errors');
    expect(buildProblem(404, 'not_found', 'd', 'r1').type).toBe(
      'urn:problem-type:user-service:not_found',
    );
  });
});
