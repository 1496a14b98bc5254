import type { OpenAPIObject, OperationObject } from '@nestjs/swagger';

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** One documented route: `GET /balance`, its operation and the handler that serves it. */
export interface HandlerRoute {
  method: (typeof HTTP_METHODS)[number];
  path: string;
  operation: OperationObject;
  /** `BalanceController.getBalance`; null when the operation id was set by hand. */
  handler: string | null;
}

/**
 * Operation ids as Nest's explorer hands them to us (see `handlerRef`): `BalanceController.getBalance`,
 * with `[i]` appended for the i-th path of a handler that declares several.
 */
const HANDLER_REF = /^(\w+\.\w+)(?:\[\d+\])?$/;

/** The `operationIdFactory` the document is built with: a handler reference, renamed afterwards. */
export const handlerRef = (controllerKey: string, methodKey: string): string =>
  `${controllerKey}.${methodKey}`;

export const routeKey = (route: Pick<HandlerRoute, 'method' | 'path'>): string =>
  `${route.method.toUpperCase()} ${route.path}`;

/** Every operation of the document, in document order. */
export function handlerRoutes(doc: OpenAPIObject): HandlerRoute[] {
  const routes: HandlerRoute[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const handler = HANDLER_REF.exec(operation.operationId ?? '')?.[1] ?? null;
      routes.push({ method, path, operation, handler });
    }
  }
  return routes;
}
