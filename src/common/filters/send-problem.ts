import type { FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE } from '../errors';
import type { Logger } from '../logging/logger';
import { toProblem } from './to-problem';

/** Writes the problem response for `err`; shared by the Nest filter and Fastify's own error handler. */
export function sendProblem(
  err: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
  logger: Logger,
): void {
  const { problem, headers, unexpected } = toProblem(err, String(request.id));
  if (unexpected) {
    logger.error(
      { err, request_id: request.id, method: request.method, route: request.routeOptions?.url },
      'unhandled error',
    );
  }
  if (reply.sent) return;
  reply.status(problem.status).header('Content-Type', PROBLEM_CONTENT_TYPE);
  for (const [name, value] of Object.entries(headers)) reply.header(name, value);
  reply.send(JSON.stringify(problem));
}
