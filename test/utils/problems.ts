import type { Response } from 'supertest';
import type { ApiResponse } from './ledger-http';

/** The media type of every error answer (RFC 9457). */
export const PROBLEM_JSON = /^application\/problem\+json/;

function header(res: Response | ApiResponse, name: string): string | undefined {
  const headers = res.headers as Headers | Record<string, string | undefined>;
  return headers instanceof Headers ? (headers.get(name) ?? undefined) : headers[name];
}

/**
 * Asserts an RFC 9457 problem answer with this status and code, whichever client got it (supertest
 * or the fetch-based Api): the problem+json type, the SPEC fields, the request id echoed from the
 * X-Request-ID header, and nothing internal in the body.
 */
export function expectProblem(res: Response | ApiResponse, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(header(res, 'content-type')).toMatch(PROBLEM_JSON);
  expect(res.body).toMatchObject({
    status,
    code,
    type: expect.any(String),
    title: expect.any(String),
  });
  expect(typeof res.body.detail).toBe('string');
  expect(res.body.request_id).toBe(header(res, 'x-request-id'));
  expect(res.text).not.toMatch(/stack|Exception|Error:|at \w+ \(|node_modules|FST_/);
}
