import SwaggerParser from '@apidevtools/swagger-parser';
import request from 'supertest';
import { expectProblem } from './utils/problems';
import { startTestApp, TestApp } from './utils/test-app';

describe('foundation (app wiring against DynamoDB Local)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp('foundation');
  });
  afterAll(async () => {
    await t.close();
  });

  it('GET /health answers liveness without dependencies', async () => {
    const res = await request(t.http).get('/health').expect(200);
    expect(res.body).toEqual({
      status: 'healthy',
      service: 'user-service',
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    await request(t.http).get('/health/live').expect(200);
  });

  it.each(['/health/ready', '/health/detailed'])(
    '%s reports DynamoDB, heap and event loop up',
    async (path) => {
      const res = await request(t.http).get(path).expect(200);
      expect(res.body.status).toBe('ok');
      expect(res.body.details.dynamodb.status).toBe('up');
      expect(res.body.details.memory_heap.status).toBe('up');
      expect(res.body.details.event_loop.status).toBe('up');
    },
  );

  it('GET / names the service and links the docs', async () => {
    const res = await request(t.http).get('/').expect(200);
    expect(res.body.service).toBe('user-service');
    expect(res.body.links).toMatchObject({ docs: '/docs', health: '/health' });
  });

  it('echoes a sane X-Request-ID and replaces an unsafe one', async () => {
    const echoed = await request(t.http).get('/health').set('X-Request-ID', 'abc-123.x:y');
    expect(echoed.headers['x-request-id']).toBe('abc-123.x:y');
    const replaced = await request(t.http)
      .get('/health')
      .set('X-Request-ID', 'bad id\twith<script>');
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const generated = await request(t.http).get('/health');
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers an unknown route with 404 problem+json', async () => {
    expectProblem(await request(t.http).get('/does/not/exist/123'), 404, 'not_found');
    expectProblem(await request(t.http).delete('/health'), 404, 'not_found');
  });

  it('answers malformed JSON with 400 problem+json', async () => {
    const res = await request(t.http)
      .post('/auth/login')
      .set('Content-Type', 'application/json')
      .send('{"username": "abc", ');
    expectProblem(res, 400, 'bad_request');
  });

  it('answers a 200 kB body with 413 problem+json', async () => {
    const big = JSON.stringify({ username: 'x'.repeat(200 * 1024), password: 'y' });
    const res = await request(t.http)
      .post('/auth/login')
      .set('Content-Type', 'application/json')
      .send(big);
    expectProblem(res, 413, 'payload_too_large');
  });

  it.each(['text/plain', 'application/xml', 'application/x-www-form-urlencoded'])(
    'answers Content-Type %s with 415 problem+json',
    async (type) => {
      const res = await request(t.http).post('/auth/login').set('Content-Type', type).send('a=b');
      expectProblem(res, 415, 'unsupported_media_type');
    },
  );

  it('sets security headers', async () => {
    const res = await request(t.http).get('/health');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
  });

  it('labels HTTP metrics with route templates, never raw paths', async () => {
    await request(t.http).get('/does/not/exist/123').expect(404);
    await request(t.http).get('/health').expect(200);
    // Readiness calls DescribeTable, which the DynamoDB operation histogram must count.
    await request(t.http).get('/health/ready').expect(200);
    const res = await request(t.http).get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).not.toContain('/does/not/exist/123');
    expect(res.text).toMatch(
      /http_requests_total\{method="GET",route="<unmatched>",status="404"\} \d+/,
    );
    expect(res.text).toMatch(
      /http_requests_total\{method="GET",route="\/health",status="200"\} \d+/,
    );
    expect(res.text).toMatch(/http_request_duration_seconds_bucket\{[^}]*route="\/health"/);
    expect(res.text).toMatch(
      /dynamodb_operation_duration_seconds_count\{operation="DescribeTable"\} \d+/,
    );
    expect(res.text).toContain('process_cpu_user_seconds_total');
    const internal = await request(t.http).get('/internal/metrics').expect(200);
    expect(internal.text).toContain('http_requests_total');
  });

  it('counts requests that never reach a handler (404) in the metrics', async () => {
    const count = async () => {
      const text = (await request(t.http).get('/metrics')).text;
      const m = text.match(
        /http_requests_total\{method="GET",route="<unmatched>",status="404"\} (\d+)/,
      );
      return m ? Number(m[1]) : 0;
    };
    const before = await count();
    await request(t.http).get('/nope/1');
    await request(t.http).get('/nope/2');
    expect((await count()) - before).toBe(2);
  });

  it('serves a valid OpenAPI 3 document with bearer auth and problem+json errors', async () => {
    const res = await request(t.http).get('/docs-json').expect(200);
    const doc = res.body;
    expect(doc.openapi).toMatch(/^3\./);
    await expect(SwaggerParser.validate(JSON.parse(JSON.stringify(doc)))).resolves.toBeDefined();
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.components.schemas.Problem.required).toContain('request_id');
    expect(doc.paths['/health']).toBeDefined();
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
    const docs = await request(t.http).get('/docs').expect(200);
    expect(docs.text).toContain('/docs/swagger-ui-bundle.js');
    expect(docs.text).not.toMatch(/https?:\/\//);
    const redoc = await request(t.http).get('/redoc').expect(200);
    expect(redoc.text).toContain('/redoc/redoc.standalone.js');
    expect(redoc.text).not.toMatch(/https?:\/\//);
    const bundle = await request(t.http).get('/redoc/redoc.standalone.js').expect(200);
    expect(bundle.headers['content-type']).toMatch(/javascript/);
    expect(bundle.text.length).toBeGreaterThan(100_000);
  });
});
