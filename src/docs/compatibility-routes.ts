import { HandlerRoute, routeKey } from './handler-routes';

/**
 * The earlier Python service's routes, kept for its clients (SPEC "Compatibility routes"). Each one
 * shares its handler with a canonical route; the document marks it deprecated with its own summary.
 */
export const COMPATIBILITY_ROUTES: Readonly<Record<string, string>> = {
  'GET /auth/profile': "The caller's own profile.",
  'PUT /auth/profile':
    "Change the caller's own profile; `null` clears an optional field; an e-mail change is atomic.",
  'GET /balance': "The caller's own current, available and held balance.",
  'POST /balance/deposit': "Deposit to the caller's own balance (optional Idempotency-Key).",
  'POST /balance/withdraw': "Withdraw from the caller's own balance (optional Idempotency-Key).",
  'GET /balance/transactions':
    "The caller's own transaction history, newest first; `offset` is honoured when no cursor is sent.",
  'GET /portfolio': "The caller's own cash and holdings, valued with inventory prices.",
  'GET /balance/asset/{asset_id}': 'The quantity the caller holds of one asset.',
  'GET /internal/metrics': 'Prometheus metrics, as `GET /metrics`.',
};

export const isCompatibilityRoute = (route: HandlerRoute): boolean =>
  routeKey(route) in COMPATIBILITY_ROUTES;

/**
 * Marks every compatibility route deprecated, gives it its own summary and names the canonical route
 * that replaces it (the first other route of the same handler). Throws when a listed route is missing
 * from the document, so the list cannot silently go stale.
 */
export function markCompatibilityRoutes(routes: HandlerRoute[]): void {
  const documented = new Set(routes.map(routeKey));
  const missing = Object.keys(COMPATIBILITY_ROUTES).filter((key) => !documented.has(key));
  if (missing.length > 0)
    throw new Error(`OpenAPI: compatibility routes not documented: ${missing.join(', ')}.`);
  for (const route of routes.filter(isCompatibilityRoute)) {
    const canonical = routes.find(
      (r) =>
        r.handler === route.handler &&
        r.method === route.method &&
        r.handler !== null &&
        !isCompatibilityRoute(r),
    );
    const use = canonical ? routeKey(canonical) : undefined;
    const self = use?.includes('{user_id}') ? " Acts on the bearer token's own user." : '';
    const instead = !use
      ? ''
      : use.includes('{user_id}')
        ? ` New clients call \`${use}\` with \`user_id\` = \`me\`.`
        : ` New clients call \`${use}\`.`;
    route.operation.summary = COMPATIBILITY_ROUTES[routeKey(route)];
    route.operation.description =
      `Deprecated: kept for clients of the earlier Python service.${self}${instead}`.trim();
    route.operation.deprecated = true;
  }
}
