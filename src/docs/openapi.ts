import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { AppConfig } from '../config';
import { PROBLEM_CONTENT_TYPE } from '../common/errors';
import { isCompatibilityRoute, markCompatibilityRoutes } from './compatibility-routes';
import { describeResponses, describeTags } from './descriptions';
import { HandlerRoute, handlerRef, handlerRoutes } from './handler-routes';
import { assignOperationIds } from './operation-ids';

const PROBLEM_SCHEMA = {
  type: 'object',
  description: 'RFC 9457 problem details. `code` is a stable machine-readable snake_case code.',
  required: ['type', 'title', 'status', 'detail', 'code', 'request_id'],
  properties: {
    type: { type: 'string', example: 'urn:problem-type:user-service:validation_failed' },
    title: { type: 'string', example: 'Unprocessable Content' },
    status: { type: 'integer', example: 422 },
    detail: { type: 'string', example: 'The request is not valid.' },
    code: { type: 'string', example: 'validation_failed' },
    request_id: { type: 'string', example: '5f1c8f9e-2a6b-4c1e-9f1a-1d2b3c4d5e6f' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['field', 'message'],
        properties: { field: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
};

const COMMON_ERRORS: Record<string, string> = {
  '429': 'Rate limit exceeded (see Retry-After).',
  '500': 'Unexpected server error (a bug; never caused by client input).',
};

/**
 * One handler often serves a canonical `/users/{user_id}/...` path and a compatibility path without
 * the parameter (route arrays, `@TargetUserId()`): declare each templated path parameter where the
 * path has it, and only there.
 */
function declarePathParameters(routes: HandlerRoute[]): void {
  for (const { path, operation: op } of routes) {
    const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    const params = (op.parameters ?? []).filter(
      (p) => !('in' in p) || p.in !== 'path' || names.includes(p.name),
    );
    for (const name of names) {
      if (params.some((p) => 'in' in p && p.in === 'path' && p.name === name)) continue;
      params.unshift({
        name,
        in: 'path',
        required: true,
        schema: { type: 'string' },
        description: name === 'user_id' ? 'A user id, or `me` for the caller.' : undefined,
      });
    }
    op.parameters = params;
  }
}

/** Every error response of every operation is documented as problem+json. */
function normaliseErrors(doc: OpenAPIObject, routes: HandlerRoute[]): void {
  doc.components = doc.components ?? {};
  doc.components.schemas = { ...(doc.components.schemas ?? {}), Problem: PROBLEM_SCHEMA };
  const problemContent = {
    [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } },
  };
  for (const { method, operation: op } of routes) {
    if (method !== 'get' && !op.requestBody) {
      op.responses['422'] = op.responses['422'] ?? {
        description: 'A request body was sent; this operation takes none (`validation_failed`).',
      };
    } else if (op.requestBody || (op.parameters ?? []).some((p) => 'in' in p && p.in === 'query')) {
      op.responses['422'] = op.responses['422'] ?? {
        description:
          '`validation_failed`: the body or a query parameter is not valid (`errors` names each).',
      };
    }
    for (const [status, description] of Object.entries(COMMON_ERRORS)) {
      op.responses[status] = op.responses[status] ?? { description };
    }
    if (op.security && op.security.length > 0) {
      op.responses['401'] = op.responses['401'] ?? {
        description: 'Missing, invalid or expired bearer token, or a revoked session.',
      };
    }
    for (const [status, response] of Object.entries(op.responses)) {
      if (response && Number(status) >= 400 && !('$ref' in response))
        response.content = problemContent;
    }
  }
}

/**
 * The document served at /docs-json and the source of the typed client (client/schema.d.ts): Nest's
 * document, then every post-processing step in this folder.
 */
export function buildOpenApiDocument(app: INestApplication, config: AppConfig): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('User Service')
    .setDescription(
      'Users, authentication and account balances of the order processor. Money is a decimal string ' +
        'with two places in responses; requests accept a number or a numeric string. Errors are ' +
        'RFC 9457 problem+json.',
    )
    .setVersion(config.version)
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .build();
  const doc = SwaggerModule.createDocument(app, builder, { operationIdFactory: handlerRef });
  const routes = handlerRoutes(doc);
  declarePathParameters(routes);
  normaliseErrors(doc, routes);
  assignOperationIds(routes, isCompatibilityRoute);
  markCompatibilityRoutes(routes);
  describeResponses(routes);
  describeTags(doc, routes);
  return doc;
}
