import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Api } from './utils/ledger-http';
import { listeningBase, spawnServer, waitFor } from './utils/server-process';
import { TEST_JWT_SECRET, testEndpoint, uniqueTableName } from './utils/test-app';
import { strongPassword, uniqueUsername } from './utils/users';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: Array<{ key: string; value: { stringValue?: string } }>;
}
interface OtlpExport {
  resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: OtlpSpan[] }> }>;
}

const SPAN_KIND_SERVER = 2;
const attr = (span: OtlpSpan, key: string) =>
  span.attributes?.find((a) => a.key === key)?.value.stringValue;

/** A minimal OTLP/HTTP (JSON) receiver on loopback: keeps every span it is sent. */
async function startOtlpReceiver(): Promise<{ server: Server; url: string; spans: OtlpSpan[] }> {
  const spans: OtlpSpan[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/traces') {
        const exported = JSON.parse(body) as OtlpExport;
        for (const rs of exported.resourceSpans ?? [])
          for (const ss of rs.scopeSpans ?? []) spans.push(...(ss.spans ?? []));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } else res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, spans };
}

/** Tracing patches modules as they load, so this runs the real entry point in a child process. */
describe('tracing (src/main.ts as a process)', () => {
  it('exports one trace per deposit: the HTTP span, its DynamoDB spans, the caller trace id kept', async () => {
    const receiver = await startOtlpReceiver();
    const server = spawnServer({
      NODE_ENV: 'development',
      PORT: '0',
      LOG_LEVEL: 'info',
      BCRYPT_COST: '4',
      JWT_SECRET_KEY: TEST_JWT_SECRET,
      DYNAMODB_ENDPOINT: testEndpoint(),
      DYNAMODB_TABLE_NAME: uniqueTableName('tracing'),
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
    try {
      const api = new Api(await listeningBase(server, 60_000));
      const username = uniqueUsername('traced');
      const password = strongPassword();
      const reg = await api.call('POST', '/auth/register', {
        body: {
          username,
          email: `${username}@example.com`,
          password,
          first_name: 'T',
          last_name: 'R',
        },
      });
      expect(reg.status).toBe(201);
      const login = await api.call('POST', '/auth/login', { body: { username, password } });
      expect(login.status).toBe(200);

      const traceId = '4bf92f3577b34a0ea1c0d0c1e2f3a4b5';
      const parentSpanId = '00f067aa0ba902b7';
      const deposit = await api.call('POST', `/users/${login.body.user_id}/balance/deposit`, {
        token: login.body.access_token,
        body: { amount: '12.34' },
        headers: { traceparent: `00-${traceId}-${parentSpanId}-01` },
      });
      expect(deposit.status).toBe(201);

      const inTrace = () => receiver.spans.filter((s) => s.traceId === traceId);
      const isDynamo = (s: OtlpSpan) => attr(s, 'rpc.service') === 'DynamoDB';
      const isWrite = (s: OtlpSpan) => attr(s, 'rpc.method') === 'TransactWriteItems';
      await waitFor(
        async () => inTrace().some((s) => s.kind === SPAN_KIND_SERVER) && inTrace().some(isWrite),
        15_000,
        'the deposit trace to be exported',
      );
      const spans = inTrace();
      const httpSpans = spans.filter((s) => s.kind === SPAN_KIND_SERVER);
      expect(httpSpans).toHaveLength(1);
      expect(httpSpans[0].parentSpanId).toBe(parentSpanId);
      expect(attr(httpSpans[0], 'http.method') ?? attr(httpSpans[0], 'http.request.method')).toBe(
        'POST',
      );
      const dynamo = spans.filter(isDynamo);
      expect(dynamo.length).toBeGreaterThanOrEqual(2);
      expect(dynamo.map((s) => attr(s, 'rpc.method'))).toContain('TransactWriteItems');
      // Every span of the deposit hangs off the trace the caller started.
      const ids = new Set(spans.map((s) => s.spanId).concat(parentSpanId));
      for (const span of spans) expect(ids.has(span.parentSpanId ?? '')).toBe(true);

      // The request's log lines carry the trace id; the caller's id, not a fresh one. Stdout is
      // written in chunks at least every 200 ms: wait for the line.
      const depositLines = () =>
        server
          .output()
          .split('\n')
          .filter((l) => l.includes('/balance/deposit') && l.startsWith('{'));
      await waitFor(async () => depositLines().length > 0, 5_000, 'the deposit’s log line');
      const logged = depositLines().map((l) => JSON.parse(l) as { trace_id?: string });
      expect(logged.length).toBeGreaterThan(0);
      for (const line of logged) expect(line.trace_id).toBe(traceId);
      // Polled endpoints make no spans.
      expect(receiver.spans.some((s) => (attr(s, 'url.path') ?? '').startsWith('/health'))).toBe(
        false,
      );
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
      receiver.server.close();
    }
  });

  it('loads no OpenTelemetry SDK module when OTEL_EXPORTER_OTLP_ENDPOINT is unset', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tracing-off-'));
    const probe = join(dir, 'probe.js');
    // At exit, the OpenTelemetry modules this process loaded (@opentelemetry/api comes with prom-client).
    writeFileSync(
      probe,
      `process.on('exit', () => process.stderr.write('OTEL ' + JSON.stringify(Object.keys(require.cache)` +
        `.filter((k) => /opentelemetry|fastify.otel/.test(k) && !/@opentelemetry.api.build/.test(k))) + '\\n'));`,
    );
    const output = await new Promise<string>((resolve) =>
      execFile(
        process.execPath,
        [
          '-r',
          probe,
          '-r',
          'ts-node/register/transpile-only',
          join(__dirname, '..', 'src', 'main.ts'),
        ],
        {
          cwd: join(__dirname, '..'),
          env: {
            PATH: process.env.PATH ?? '',
            ENV_FILE: 'none',
            NODE_ENV: 'development',
            PORT: '0',
            JWT_SECRET_KEY: TEST_JWT_SECRET,
            // Unreachable: start-up fails after the point where tracing would have started.
            DYNAMODB_ENDPOINT: 'http://127.0.0.1:1',
          },
          timeout: 60_000,
        },
        (_err, stdout, stderr) => resolve(stdout + stderr),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
    expect(output).toContain('Start-up failed');
    expect(output).toContain('OTEL []');
  });
});
