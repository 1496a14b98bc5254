import { HandlerRoute, routeKey } from './handler-routes';

/**
 * Handler names that read well inside their controller (`SessionsController.list`) but not as an
 * API-wide name. Every other handler's method name is its operation id as it stands.
 */
export const HANDLER_OPERATION_IDS: Readonly<Record<string, string>> = {
  'AppController.info': 'getServiceInfo',
  'HealthController.liveness': 'getLiveness',
  'HealthController.live': 'getLivenessProbe',
  'HealthController.readiness': 'getReadiness',
  'MetricsController.scrape': 'getMetrics',
  'SessionsController.list': 'listSessions',
  'SessionsController.revoke': 'revokeSession',
  'PasswordController.change': 'changePassword',
  'OrdersController.hold': 'createHold',
  'OrdersController.complete': 'completeHold',
  'OrdersController.cancel': 'cancelHold',
  'OrdersController.sell': 'settleSale',
  'OrdersController.releaseExpired': 'releaseExpiredHolds',
  'PortfolioController.portfolio': 'getPortfolio',
  'PortfolioController.holding': 'getHolding',
};

const CAMEL_CASE = /^[a-z][A-Za-z0-9]*$/;

const pascal = (s: string): string =>
  s
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');

const lastStaticSegment = (path: string): string =>
  path
    .split('/')
    .filter((s) => s && !s.startsWith('{'))
    .pop() ?? '';

/**
 * Operation ids that client generators accept, derived from the handler and the path:
 * - the handler's method name, or its entry in HANDLER_OPERATION_IDS (`getBalance`);
 * - a compatibility path of that handler: `legacy` + the name (`legacyGetBalance`);
 * - any further non-compatibility path of the same handler: the name + its last static segment
 *   (`/health/detailed` beside `/health/ready`: `getReadinessDetailed`);
 * - an id set by hand with `@ApiOperation({ operationId })` is kept.
 * Throws when an id is not camelCase or is used twice, so a clash fails the build of the document.
 */
export function assignOperationIds(
  routes: HandlerRoute[],
  isCompatibility: (route: HandlerRoute) => boolean,
): void {
  const named = new Set<string>();
  for (const route of routes) {
    if (!route.handler) continue;
    const method = route.handler.split('.')[1];
    const name = HANDLER_OPERATION_IDS[route.handler] ?? method;
    if (isCompatibility(route)) {
      route.operation.operationId = `legacy${pascal(name)}`;
    } else if (named.has(route.handler)) {
      route.operation.operationId = `${name}${pascal(lastStaticSegment(route.path))}`;
    } else {
      route.operation.operationId = name;
      named.add(route.handler);
    }
  }
  const seen = new Map<string, string>();
  for (const route of routes) {
    const id = route.operation.operationId ?? '';
    if (!CAMEL_CASE.test(id))
      throw new Error(`OpenAPI: operationId "${id}" of ${routeKey(route)} is not camelCase.`);
    const other = seen.get(id);
    if (other)
      throw new Error(
        `OpenAPI: operationId "${id}" is used by ${other} and ${routeKey(route)}; ` +
          'rename a handler or add it to HANDLER_OPERATION_IDS in src/docs/operation-ids.ts.',
      );
    seen.set(id, routeKey(route));
  }
}
