import { STATUS_CODES } from 'node:http';
import type { OpenAPIObject, TagObject } from '@nestjs/swagger';
import type { HandlerRoute } from './handler-routes';

/** Tags in the order the docs list them. */
export const TAG_DESCRIPTIONS: Readonly<Record<string, string>> = {
  auth: 'Registration, login, token refresh and logout; sessions and password changes.',
  users: 'User profiles. `{user_id}` may be `me`.',
  accounts: 'E-mail verification and password reset (links sent through the mail outbox).',
  admin: 'Administration: look-up, disable/enable, balance adjustments; `admin` tokens only.',
  balance: 'Balance, deposits, withdrawals and the transaction history.',
  portfolio: 'Cash and holdings valued with the inventory service’s prices.',
  internal:
    'Order-service integration (holds, settlements, sales) and admin tools; `service` or `admin` tokens.',
  service: 'Service information.',
  health: 'Kubernetes liveness and readiness probes.',
  metrics: 'Prometheus metrics.',
};

/**
 * The document's tag list: every tag an operation uses, described, in TAG_DESCRIPTIONS order (a tag
 * missing from it comes last, undescribed, and the docs test names it).
 */
export function describeTags(doc: OpenAPIObject, routes: HandlerRoute[]): void {
  const used = new Set(routes.flatMap((r) => r.operation.tags ?? []));
  const known = Object.keys(TAG_DESCRIPTIONS).filter((name) => used.has(name));
  const unknown = [...used].filter((name) => !(name in TAG_DESCRIPTIONS));
  doc.tags = [
    ...known.map((name): TagObject => ({ name, description: TAG_DESCRIPTIONS[name] })),
    ...unknown.map((name): TagObject => ({ name })),
  ];
}

/**
 * A response declared without a description (`@ApiOkResponse({ type })`) gets the status phrase and
 * the body's schema name: `OK: a \`BalanceResponse\`.`
 */
export function describeResponses(routes: HandlerRoute[]): void {
  for (const { operation } of routes) {
    for (const [status, response] of Object.entries(operation.responses)) {
      if (!response || '$ref' in response || response.description) continue;
      const phrase = STATUS_CODES[Number(status)] ?? `HTTP ${status}`;
      const schema = Object.values(response.content ?? {})[0]?.schema;
      const name = schema && '$ref' in schema ? schema.$ref.split('/').pop() : undefined;
      response.description = name ? `${phrase}: a \`${name}\`.` : `${phrase}.`;
    }
  }
}
