import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { OpenAPIObject } from '@nestjs/swagger';

const REDOC_BUNDLE = join(__dirname, '..', '..', 'vendor', 'redoc', 'redoc.standalone.js');

interface Asset {
  type: string;
  body: Buffer | string;
}

const page = (title: string, head: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>` +
  `<meta name="viewport" content="width=device-width, initial-scale=1">${head}</head><body>${body}</body></html>`;

/**
 * Serves Swagger UI (/docs), ReDoc (/redoc) and the OpenAPI document (/docs-json) from files that ship
 * with the service: no CDN, so the pages render with no internet access.
 */
export function registerDocsRoutes(fastify: FastifyInstance, document: OpenAPIObject): void {
  const ui = dirname(require.resolve('swagger-ui-dist/package.json'));
  const assets: Record<string, Asset> = {
    '/docs/swagger-ui.css': { type: 'text/css', body: readFileSync(join(ui, 'swagger-ui.css')) },
    '/docs/swagger-ui-bundle.js': {
      type: 'application/javascript',
      body: readFileSync(join(ui, 'swagger-ui-bundle.js')),
    },
    '/docs/swagger-init.js': {
      type: 'application/javascript',
      body:
        "window.ui = SwaggerUIBundle({ url: '/docs-json', dom_id: '#swagger-ui', deepLinking: true, " +
        'persistAuthorization: true, presets: [SwaggerUIBundle.presets.apis] });',
    },
    '/redoc/redoc.standalone.js': {
      type: 'application/javascript',
      body: readFileSync(REDOC_BUNDLE),
    },
    '/redoc/redoc-init.js': {
      type: 'application/javascript',
      body: "Redoc.init('/docs-json', { hideDownloadButton: false }, document.getElementById('redoc'));",
    },
    '/docs': {
      type: 'text/html; charset=utf-8',
      body: page(
        'User Service API — Swagger UI',
        '<link rel="stylesheet" href="/docs/swagger-ui.css">',
        '<div id="swagger-ui"></div><script src="/docs/swagger-ui-bundle.js"></script>' +
          '<script src="/docs/swagger-init.js"></script>',
      ),
    },
    '/redoc': {
      type: 'text/html; charset=utf-8',
      body: page(
        'User Service API — ReDoc',
        '<style>body{margin:0;padding:0}</style>',
        '<div id="redoc"></div><script src="/redoc/redoc.standalone.js"></script>' +
          '<script src="/redoc/redoc-init.js"></script>',
      ),
    },
  };
  const json = JSON.stringify(document);
  fastify.get('/docs-json', (_req, reply) => {
    reply.header('Content-Type', 'application/json; charset=utf-8').send(json);
  });
  for (const [path, asset] of Object.entries(assets)) {
    fastify.get(path, (_req, reply) => {
      reply
        .header('Content-Type', asset.type)
        .header('Cache-Control', 'public, max-age=3600')
        .send(asset.body);
    });
  }
}
