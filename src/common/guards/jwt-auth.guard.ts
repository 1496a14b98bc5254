import { CanActivate, ExecutionContext, Injectable, type Type } from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { OWN_DATA_READER, OwnDataReader } from '../auth/own-data';
import type { AuthenticatedRequest } from '../auth/principal';
import { IS_PUBLIC } from '../decorators/public.decorator';
import { UnauthorizedError } from '../errors';
import { AccessTokenAuthenticator } from './access-token-authenticator';
import { ME, USER_ID_PARAM } from './ownership.guard';

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
 * On a `@ReadsOwnData` route acting on the caller's own user, it starts the route's first read
 * alongside the session check (own-data.ts).
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  private readonly readers = new Map<Type<OwnDataReader>, OwnDataReader>();

  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: AccessTokenAuthenticator,
    private readonly modules: ModuleRef,
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
    const reader = this.ownDataReaderOf(context);
    request.user = await this.authenticator.authenticate(
      token,
      reader && ((userId) => startOwnRead(request, reader, userId)),
    );
    return true;
  }

  private ownDataReaderOf(context: ExecutionContext): OwnDataReader | undefined {
    const type = this.reflector.get<Type<OwnDataReader> | undefined>(
      OWN_DATA_READER,
      context.getHandler(),
    );
    if (!type) return undefined;
    const known = this.readers.get(type);
    if (known) return known;
    const reader = this.modules.get(type, { strict: false });
    this.readers.set(type, reader);
    return reader;
  }
}

/** Only for the caller's own user (`me`, their own id, or a route without `{user_id}`). */
function startOwnRead(
  request: FastifyRequest & AuthenticatedRequest,
  reader: OwnDataReader,
  userId: string,
): void {
  const raw = (request.params as Record<string, string | undefined> | undefined)?.[USER_ID_PARAM];
  if (raw !== undefined && raw !== ME && raw !== userId) return;
  const value = reader.read(userId);
  // Consumed by the handler; when a later check refuses the request, dropped without a warning.
  value.catch(() => undefined);
  request.ownData = { userId, value };
}
