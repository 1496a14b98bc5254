import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { AuthenticatedRequest, Principal } from '../auth/principal';

/** The authenticated caller (set by the global JWT guard). */
export const CurrentUser = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): Principal => {
    const request = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
    if (!request.user) throw new Error('CurrentUser used on a route without authentication');
    return request.user;
  },
);

/**
 * The user a `/users/{user_id}/...` route acts on, after the ownership guard resolved `me` and checked
 * access; on compatibility routes (no `user_id` in the path) it is the caller's own id.
 */
export const TargetUserId = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): string => {
    const request = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
    const id = request.targetUserId ?? request.user?.userId;
    if (!id) throw new Error('TargetUserId used on a route without authentication');
    return id;
  },
);
