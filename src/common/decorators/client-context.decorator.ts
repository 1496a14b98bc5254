import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/** Who is on the other end of a request, for audit logs and session records. */
export interface ClientContext {
  /** Client IP as Fastify resolved it (honours TRUST_PROXY hops). */
  readonly ip: string;
  readonly userAgent: string | null;
  readonly requestId: string;
}

const MAX_USER_AGENT = 256;

export function clientContextOf(request: FastifyRequest): ClientContext {
  const ua = request.headers['user-agent'];
  return {
    ip: request.ip,
    userAgent: typeof ua === 'string' && ua.length > 0 ? ua.slice(0, MAX_USER_AGENT) : null,
    requestId: String(request.id),
  };
}

/** The caller's IP, user agent and request id. */
export const Client = createParamDecorator((_data: unknown, ctx: ExecutionContext): ClientContext =>
  clientContextOf(ctx.switchToHttp().getRequest<FastifyRequest>()),
);
