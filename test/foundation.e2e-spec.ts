import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { Api, ApiResponse, listen } from './utils/ledger-http';
import { metricValue } from './utils/metrics';
import { expectProblem } from './utils/problems';
import { startTestApp, TestApp } from './utils/test-app';

describe('foundation (app wiring against DynamoDB Local)', () => {
  let t: TestApp;
  let api: Api;
  const get = async (path: string, headers?: Record<string, string>, status = 200) => {
    const res = await api.call('GET', path, { headers });
    expect(res.status).toBe(status);
    return res;
  };
  const loginWith = (contentType: string, rawBody: string): Promise<ApiResponse> =>
    api.call('POST', '/auth/login', { rawBody, headers: { 'Content-Type': contentType } });

  beforeAll(async () => {
    t = await startTestApp('foundation');
    api = await listen(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('GET /health answers liveness without dependencies', async () => {
    const res = await get('/health');
    expect(res.body).toEqual({
      status: 'healthy',
      service: 'user-service',
      version: t.config.version,
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    expect(t.config.version).toMatch(/^\d+\.\d+\.\d+/);
    expect((await get('/health/live')).body).toMatchObject({
      status: 'healthy',
      version: t.config.version,
    });
  });

  it.each(['/health/ready', '/health/detailed'])(
    '%s reports DynamoDB, heap and event loop up',
    async (path) => {
      const res = await get(path);
      expect(res.body.status).toBe('ok');
      expect(res.body.details.dynamodb.status).toBe('up');
      expect(res.body.details.memory_heap.status).toBe('up');
      expect(res.body.details.event_loop.status).toBe('up');
    },
  );

  it('GET / names the service and links the docs', async () => {
    const res = await get('/');
    expect(res.body.service).toBe('user-service');
    expect(res.body.links).toMatchObject({ docs: '/docs', health: '/health' });
  });

  it('echoes a sane X-Request-ID and replaces an unsafe one', async () => {
    const echoed = await get('/health', { 'X-Request-ID': 'abc-123.x:y' });
    expect(echoed.headers.get('x-request-id')).toBe('abc-123.x:y');
    const replaced = await get('/health', { 'X-Request-ID': 'bad id\twith<script>' });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const generated = await get('/health');
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(generated.headers.get('x-request-id')).not.toBe(replaced.headers.get('x-request-id'));
  });

  it('answers an unknown route with 404 problem+json', async () => {
    expectProblem(await api.call('GET', '/does/not/exist/123'), 404, 'not_found');
    expectProblem(await api.call('DELETE', '/health'), 404, 'not_found');
  });

  it('answers malformed JSON with 400 problem+json', async () => {
    const res = await loginWith('application/json', '{"username": "abc", ');
    expectProblem(res, 400, 'bad_request');
  });

  it('answers a 200 kB body with 413 problem+json', async () => {
    const big = JSON.stringify({ username: 'x'.repeat(200 * 1024), password: 'y' });
    const res = await loginWith('application/json', big);
    expectProblem(res, 413, 'payload_too_large');
  });

  it.each(['text/plain', 'application/xml', 'application/x-www-form-urlencoded'])(
    'answers Content-Type %s with 415 problem+json',
    async (type) => {
      const res = await loginWith(type, 'a=b');
      expectProblem(res, 415, 'unsupported_media_type');
    },
  );

  it('sets security headers', async () => {
    const res = await get('/health');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
  });

  it('labels HTTP metrics with route templates, never raw paths', async () => {
    const watched = [
      'http_requests_total{method="GET",route="<unmatched>",status="404"}',
      'http_requests_total{method="GET",route="/health",status="200"}',
      'http_request_duration_seconds_count{method="GET",route="/health",status="200"}',
      'dynamodb_operation_duration_seconds_count{operation="DescribeTable"}',
    ];
    const before = (await get('/metrics')).text;
    await get('/does/not/exist/123', undefined, 404);
    await get('/health');
    // Readiness calls DescribeTable, which the DynamoDB operation histogram must count.
    await get('/health/ready');
    const res = await get('/metrics');
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(res.text).not.toContain('/does/not/exist/123');
    expect(watched.map((m) => metricValue(res.text, m) - metricValue(before, m))).toEqual([
      1, 1, 1, 1,
    ]);
    expect(res.text).toContain('process_cpu_user_seconds_total');
    const internal = await get('/internal/metrics');
    expect(internal.text).toContain('http_requests_total');
  });

  it('counts requests that never reach a handler (404) in the metrics', async () => {
    const count = async () => {
      const text = (await get('/metrics')).text;
      return metricValue(
        text,
        'http_requests_total{method="GET",route="<unmatched>",status="404"}',
      );
    };
    const before = await count();
    expectProblem(await api.call('GET', '/nope/1'), 404, 'not_found');
    expectProblem(await api.call('GET', '/nope/2'), 404, 'not_found');
    expect((await count()) - before).toBe(2);
  });

  it('serves a valid OpenAPI 3 document with bearer auth and problem+json errors', async () => {
    const res = await get('/docs-json');
    const doc = res.body;
    expect(doc.openapi).toMatch(/^3\./);
    await expect(SwaggerParser.validate(JSON.parse(JSON.stringify(doc)))).resolves.toMatchObject({
      openapi: doc.openapi,
    });
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.components.schemas.Problem.required).toContain('request_id');
    expect(Object.keys(doc.paths['/health'])).toEqual(['get']);
    for (const item of Object.values<
      Record<string, { responses: Record<string, { content?: object }> }>
    >(doc.paths)) {
      for (const op of Object.values(item)) {
        for (const [status, response] of Object.entries(op.responses)) {
          if (Number(status) >= 400)
            expect(Object.keys(response.content ?? {})).toEqual(['application/problem+json']);
        }
      }
    }
  });

  it('serves the Swagger UI and ReDoc pages and their scripts locally', async () => {
    const docs = await get('/docs');
    expect(docs.text).toContain('/docs/swagger-ui-bundle.js');
    expect(docs.text).not.toMatch(/https?:\/\//);
    const redoc = await get('/redoc');
    expect(redoc.text).toContain('/redoc/redoc.standalone.js');
    expect(redoc.text).not.toMatch(/https?:\/\//);
    const bundle = await get('/redoc/redoc.standalone.js');
    expect(bundle.headers.get('content-type')).toMatch(/javascript/);
    const vendored = readFileSync(
      join(__dirname, '..', 'vendor', 'redoc', 'redoc.standalone.js'),
      'utf8',
    );
    expect(bundle.text).toBe(vendored);
  });
});
