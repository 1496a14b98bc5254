import type { ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/** The matched route template (e.g. `/users/:user_id/balance`) and method of an HTTP request. */
export function routeOf(context: ExecutionContext): { method: string; template: string } {
  const request = context.switchToHttp().getRequest<FastifyRequest>();
  return { method: request.method, template: request.routeOptions?.url ?? '' };
}
