import { FieldError } from './app-error';

/** RFC 9457 problem details as this service sends them. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  request_id: string;
  errors?: FieldError[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function statusTitle(status: number): string {
  return TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Client Error');
}

export function problemType(code: string): string {
  return `urn:problem-type:user-service:${code}`;
}

export function buildProblem(
  status: number,
  code: string,
  detail: string,
  requestId: string,
  extra: { errors?: FieldError[]; title?: string } = {},
): Problem {
  const problem: Problem = {
    type: problemType(code),
    title: extra.title ?? statusTitle(status),
    status,
    detail,
    code,
    request_id: requestId,
  };
  if (extra.errors && extra.errors.length > 0) problem.errors = extra.errors;
  return problem;
}
