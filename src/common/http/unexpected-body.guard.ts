import { CanActivate, ExecutionContext, Injectable, Type } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { FieldError, ValidationFailedError } from '../errors';

/** Whether a handler declares a `@Body()` parameter (Nest keys its argument metadata `<type>:<index>`). */
export function handlerTakesBody(controller: Type<unknown>, handler: string): boolean {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, handler) ?? {}) as object;
  return Object.keys(args).some((key) => key.split(':')[0] === String(RouteParamtypes.BODY));
}

/** What is wrong with a body sent to a route that takes none: empty when nothing was sent. */
export function unexpectedBodyErrors(body: unknown): FieldError[] {
  if (body === undefined || body === null) return [];
  if (typeof body === 'object' && !Array.isArray(body)) {
    return Object.keys(body).map((field) => ({ field, message: `unknown field ${field}` }));
  }
  return [{ field: 'body', message: 'this operation takes no request body' }];
}

/**
 * Unknown body fields are rejected, not ignored (SPEC §3) — also on routes that take no body at all
 * (cancel a hold, release expired holds, delete a session), which the ValidationPipe never sees. An
 * empty body (`{}`, or none) is fine. The last global guard, after authentication and authorization
 * (a guard, not an interceptor: an interceptor puts every request through Nest's RxJS pipeline).
 */
@Injectable()
export class UnexpectedBodyGuard implements CanActivate {
  private readonly takesBody = new WeakMap<object, boolean>();

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const handler = context.getHandler();
    let takesBody = this.takesBody.get(handler);
    if (takesBody === undefined) {
      takesBody = handlerTakesBody(context.getClass(), handler.name);
      this.takesBody.set(handler, takesBody);
    }
    if (takesBody) return true;
    const errors = unexpectedBodyErrors(
      context.switchToHttp().getRequest<{ body?: unknown }>().body,
    );
    if (errors.length > 0) {
      throw new ValidationFailedError(errors, 'This operation takes no request body.');
    }
    return true;
  }
}
