import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { parseIdempotencyKey } from '../domain/idempotency';

/** The validated `Idempotency-Key` header (422 when malformed), or undefined. */
export const IdempotencyKey = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): string | undefined =>
    parseIdempotencyKey(ctx.switchToHttp().getRequest<FastifyRequest>().headers['idempotency-key']),
);

/** The request id (X-Request-ID) of the current request. */
export const RequestId = createParamDecorator((_data: unknown, ctx: ExecutionContext): string =>
  String(ctx.switchToHttp().getRequest<FastifyRequest>().id),
);
