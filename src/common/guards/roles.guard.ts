import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { AuthenticatedRequest, Role } from '../auth/principal';
import { ROLES } from '../decorators/roles.decorator';
import { ForbiddenError } from '../errors';

/** `/internal/*` is for the order service and admins even when a controller forgets `@Roles`. */
export const INTERNAL_ROLES: readonly Role[] = ['service', 'admin'];

/** Enforces `@Roles(...)` (route or controller) on authenticated routes. */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<FastifyRequest & AuthenticatedRequest>();
    const user = request.user;
    if (!user) return true; // @Public()
    const declared = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES, [
      context.getHandler(),
      context.getClass(),
    ]);
    const internal = (request.routeOptions?.url ?? '').startsWith('/internal/');
    const allowed = declared ?? (internal ? INTERNAL_ROLES : undefined);
    if (allowed && !allowed.includes(user.role)) {
      throw new ForbiddenError('Your role may not call this route.');
    }
    return true;
  }
}
