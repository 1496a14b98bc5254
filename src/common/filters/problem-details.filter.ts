import { ArgumentsHost, Catch, ExceptionFilter, Inject } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE } from '../errors';
import { LOGGER, Logger } from '../logging/logger';
import { toProblem } from './to-problem';

/**
 * The one place errors become RFC 9457 problem+json responses: thrown by handlers, guards and pipes, and
 * Fastify's own errors (which Nest routes here through the error handler it registers).
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const request = ctx.getRequest<FastifyRequest>();
    const reply = ctx.getResponse<FastifyReply>();
    const { problem, headers, unexpected } = toProblem(exception, String(request.id));
    if (unexpected) {
      this.logger.error(
        {
          err: exception,
          request_id: request.id,
          method: request.method,
          route: request.routeOptions?.url,
        },
        'unhandled error',
      );
    }
    if (reply.sent) return;
    reply.status(problem.status).header('Content-Type', PROBLEM_CONTENT_TYPE);
    for (const [name, value] of Object.entries(headers)) reply.header(name, value);
    reply.send(JSON.stringify(problem));
  }
}
