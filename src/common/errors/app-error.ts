/** A field-level validation message in a problem response. */
export interface FieldError {
  field: string;
  message: string;
}

export interface AppErrorOptions {
  errors?: FieldError[];
  headers?: Record<string, string>;
  title?: string;
}

/**
 * An error a client is meant to see: HTTP status, a stable snake_case `code` and a human `detail`.
 * Features subclass it (InsufficientFundsError, UsernameTakenError, ...); the problem-details filter
 * turns it into RFC 9457 JSON. Anything else that reaches the filter is a bug and becomes a bare 500.
 */
export class AppError extends Error {
  readonly errors?: FieldError[];
  readonly headers?: Record<string, string>;
  readonly title?: string;

  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    options: AppErrorOptions = {},
  ) {
    super(detail);
    this.name = new.target.name;
    this.errors = options.errors;
    this.headers = options.headers;
    this.title = options.title;
  }
}

export class ValidationFailedError extends AppError {
  constructor(errors: FieldError[], detail = 'The request is not valid.') {
    super(422, 'validation_failed', detail, { errors });
  }
}

export class NotFoundError extends AppError {
  constructor(detail = 'The requested resource does not exist.') {
    super(404, 'not_found', detail);
  }
}

export class ForbiddenError extends AppError {
  constructor(detail = 'You are not allowed to access this resource.') {
    super(403, 'forbidden', detail);
  }
}

export class UnauthorizedError extends AppError {
  constructor(detail = 'Authentication is required.', code = 'unauthorized') {
    super(401, code, detail, { headers: { 'WWW-Authenticate': 'Bearer' } });
  }
}

export class ConflictError extends AppError {
  constructor(code: string, detail: string) {
    super(409, code, detail);
  }
}

export class ServiceUnavailableError extends AppError {
  constructor(detail = 'A dependency is unavailable; try again shortly.', retryAfterSeconds = 1) {
    super(503, 'service_unavailable', detail, {
      headers: { 'Retry-After': String(retryAfterSeconds) },
    });
  }
}

export class RateLimitedError extends AppError {
  constructor(retryAfterSeconds: number, code = 'rate_limited', detail = 'Too many requests.') {
    super(429, code, detail, {
      headers: { 'Retry-After': String(Math.max(1, retryAfterSeconds)) },
    });
  }
}
