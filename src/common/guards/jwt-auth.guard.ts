import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { AuthenticatedRequest } from '../auth/principal';
import { IS_PUBLIC } from '../decorators/public.decorator';
import { UnauthorizedError } from '../errors';
import { AccessTokenAuthenticator } from './access-token-authenticator';

/** RFC 6750 b64token, bounded so a huge header is rejected before any parsing. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]{1,4096}=*)\s*$/i;

export function bearerTokenOf(header: string | string[] | undefined): string | null {
  if (typeof header !== 'string') return null;
  const match = BEARER.exec(header);
  return match ? match[1] : null;
}

/**
 * Global guard: every route needs a valid access token unless marked `@Public()`. Sets
 * `request.user`. A missing token and a bad one both answer 401 with `WWW-Authenticate: Bearer`.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: AccessTokenAuthenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest & AuthenticatedRequest>();
    const token = bearerTokenOf(request.headers.authorization);
    if (!token) throw new UnauthorizedError('A bearer access token is required.');
    request.user = await this.authenticator.authenticate(token);
    return true;
  }
}
