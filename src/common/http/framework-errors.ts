import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { buildProblem, PROBLEM_CONTENT_TYPE } from '../errors';
import type { Logger } from '../logging/logger';

/** Headers every framework-level error carries (the helmet hook never ran for these requests). */
export const ERROR_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

interface Rejection {
  status: number;
  code: string;
  detail: string;
}

const REJECTIONS: Record<string, Rejection> = {
  FST_ERR_BAD_URL: { status: 400, code: 'invalid_url', detail: 'The URL is not valid.' },
  FST_ERR_MAX_PARAM_LENGTH: {
    status: 414,
    code: 'uri_too_long',
    detail: 'A path segment is longer than allowed.',
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    code: 'request_timeout',
    detail: 'The request was not received in time.',
  },
  HPE_HEADER_OVERFLOW: {
    status: 431,
    code: 'headers_too_large',
    detail: 'The request line or headers are larger than allowed.',
  },
};

const BAD_REQUEST: Rejection = {
  status: 400,
  code: 'bad_request',
  detail: 'The request could not be read (bad HTTP syntax).',
};

/** The problem for a framework or socket-level error code; unknown codes are a plain 400. */
export function rejectionFor(code: string | undefined): Rejection {
  return (code && REJECTIONS[code]) || BAD_REQUEST;
}

/** Fastify `frameworkErrors`: bad URL encoding, over-long path parameters, ... as problem+json. */
export function frameworkErrorHandler(logger: Logger) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    const { status, code, detail } = rejectionFor(error.code);
    const requestId = String(request.id);
    logger.info({ request_id: requestId, status, code }, 'request rejected by the framework');
    void reply
      .status(status)
      .headers({ ...ERROR_SECURITY_HEADERS, 'X-Request-ID': requestId })
      .header('Content-Type', PROBLEM_CONTENT_TYPE)
      .send(JSON.stringify(buildProblem(status, code, detail, requestId)));
  };
}

/**
 * Fastify `clientErrorHandler`: Node's HTTP parser rejected the bytes (oversized headers, duplicate
 * Content-Length, Content-Length with Transfer-Encoding, unknown method) or the request timed out.
 * There is no request object, so a complete HTTP/1.1 response is written to the socket, which is
 * then closed.
 */
export function clientErrorHandler(logger: Logger) {
  return (error: NodeJS.ErrnoException, socket: Socket): void => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const { status, code, detail } = rejectionFor(error.code);
    const requestId = randomUUID();
    logger.info({ request_id: requestId, status, code }, 'connection rejected by the HTTP parser');
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const body = JSON.stringify(buildProblem(status, code, detail, requestId));
    const headers = {
      ...ERROR_SECURITY_HEADERS,
      'Content-Type': PROBLEM_CONTENT_TYPE,
      'Content-Length': String(Buffer.byteLength(body)),
      'X-Request-ID': requestId,
      Connection: 'close',
    };
    const head = Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n${head}\r\n${body}`);
  };
}
