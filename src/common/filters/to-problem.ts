import { HttpException } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { isConditionalCheckFailed, isSdkRequestBug } from '../../database/dynamo-errors';
import { AppError, buildProblem, Problem } from '../errors';

export interface ProblemReply {
  problem: Problem;
  headers: Record<string, string>;
  /** True when the error is a server fault that deserves an error log with its stack. */
  unexpected: boolean;
}

const GENERIC: Record<number, [string, string]> = {
  400: ['bad_request', 'The request could not be read (malformed JSON or bad syntax).'],
  401: ['unauthorized', 'Authentication is required.'],
  403: ['forbidden', 'You are not allowed to access this resource.'],
  404: ['not_found', 'The requested resource does not exist.'],
  405: ['method_not_allowed', 'This method is not allowed on this resource.'],
  406: ['not_acceptable', 'The requested representation is not available.'],
  413: ['payload_too_large', 'The request body is larger than the limit.'],
  415: ['unsupported_media_type', 'Send the request body as application/json.'],
  429: ['rate_limited', 'Too many requests; slow down.'],
  503: ['service_unavailable', 'A dependency is unavailable; try again shortly.'],
};

function generic(
  status: number,
  requestId: string,
  headers: Record<string, string> = {},
): ProblemReply {
  const [code, detail] = GENERIC[status] ?? ['bad_request', 'The request was rejected.'];
  return { problem: buildProblem(status, code, detail, requestId), headers, unexpected: false };
}

/** Status of a Fastify/Node error object a client caused (bad JSON, body too large, ...), if any. */
function clientStatusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const status = (err as { statusCode?: unknown; status?: unknown }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return status;
  return undefined;
}

/**
 * An AWS SDK error (it carries `$metadata`) that a repository let through: network error, timeout,
 * throttling, 5xx, missing table. The dependency is down, so 503 rather than 500.
 */
function isDependencyUnavailable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null || !('$metadata' in err)) return false;
  return !isSdkRequestBug(err) && !isConditionalCheckFailed(err);
}

/** Maps anything thrown while serving a request to problem details. Never leaks internals. */
export function toProblem(err: unknown, requestId: string): ProblemReply {
  if (err instanceof AppError) {
    return {
      problem: buildProblem(err.status, err.code, err.detail, requestId, {
        errors: err.errors,
        title: err.title,
      }),
      headers: err.headers ?? {},
      unexpected: false,
    };
  }
  if (err instanceof ThrottlerException) return generic(429, requestId, { 'Retry-After': '60' });
  if (err instanceof HttpException) {
    const status = err.getStatus();
    if (status < 500) return generic(status, requestId);
    if (status === 503) return generic(503, requestId, { 'Retry-After': '1' });
  }
  if (isDependencyUnavailable(err)) return generic(503, requestId, { 'Retry-After': '1' });
  const clientStatus = clientStatusOf(err);
  if (clientStatus !== undefined) return generic(clientStatus, requestId);
  return {
    problem: buildProblem(500, 'internal_error', 'An unexpected error occurred.', requestId),
    headers: {},
    unexpected: true,
  };
}
