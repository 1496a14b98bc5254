import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { AuthenticatedRequest, Principal } from '../auth/principal';
import { ForbiddenError, NotFoundError } from '../errors';
import { isUserId } from '../ids';

/** The path parameter every `/users/{user_id}/...` route uses; `me` means the caller. */
export const USER_ID_PARAM = 'user_id';
export const ME = 'me';

/** What a `service` token may call (SPEC §4): the order integration and balance reads. */
export function serviceMayCall(method: string, template: string): boolean {
  if (template.startsWith('/internal/')) return true;
  return method === 'GET' && template === '/users/:user_id/balance';
}

/**
 * Authorization in one place for every route with a `:user_id` path parameter, and the scope of
 * service tokens on every authenticated route. Resolves `me`, answers 404 to anything that is not a
 * user id in the shape registration generates (for every role), lets a customer reach only their
 * own id (403 otherwise, before any handler runs), lets an admin reach anyone, and records the
 * resolved id as `request.targetUserId` for `@TargetUserId()`.
 */
@Injectable()
export class OwnershipGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<FastifyRequest & AuthenticatedRequest>();
    const user = request.user;
    if (!user) return true; // a @Public() route: nobody to authorize
    if (
      user.role === 'service' &&
      !serviceMayCall(request.method, request.routeOptions?.url ?? '')
    ) {
      throw new ForbiddenError('Service tokens may not call this route.');
    }
    const params = request.params as Record<string, string | undefined> | undefined;
    const raw = params?.[USER_ID_PARAM];
    if (raw === undefined) return true;
    request.targetUserId = resolveTarget(user, raw);
    return true;
  }
}

/**
 * The user id a caller may act on, or a ForbiddenError. Anything but `me` or a UUID is a NotFoundError
 * (checked before ownership, so even an admin can never address a guard, lockout or other non-user
 * item through `{user_id}`; a customer's own id is always a UUID, so nothing of theirs is hidden).
 */
export function resolveTarget(user: Principal, raw: string): string {
  if (raw === ME) {
    if (user.role === 'service') throw new ForbiddenError('A service token has no own user.');
    return user.userId;
  }
  if (!isUserId(raw)) throw new NotFoundError('The user does not exist.');
  if (user.role === 'customer' && raw !== user.userId) throw new ForbiddenError();
  return raw;
}
