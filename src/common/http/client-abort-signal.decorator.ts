import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AppError } from '../errors';

/**
 * An AbortSignal that fires when the client's connection closes before the response is sent, so a
 * long handler (a paged scan) can stop working for nobody.
 */
export const ClientAbortSignal = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): AbortSignal => {
    const response = ctx.switchToHttp().getResponse<FastifyReply>().raw;
    const controller = new AbortController();
    response.once('close', () => {
      if (!response.writableFinished) controller.abort();
    });
    return controller.signal;
  },
);

/** The client went away mid-request; nobody reads the answer (nginx's 499 in logs and metrics). */
export class ClientClosedRequestError extends AppError {
  constructor() {
    super(499, 'client_closed_request', 'The client closed the connection before the answer.');
  }
}
