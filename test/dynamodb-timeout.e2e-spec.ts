import {
  createServer as createHttpServer,
  IncomingMessage,
  request as httpRequest,
  ServerResponse,
} from 'node:http';
import { AddressInfo, createServer, Server, Socket } from 'node:net';
import { Api, ApiResponse, listen } from './utils/ledger-http';
import { startTestApp, testEndpoint, TestApp } from './utils/test-app';
import { expectProblem } from './utils/problems';
import { createCustomer } from './utils/users';

/** Generous bound for one request: the SDK gives up after 3 sends of at most ~3 s each. */
const BOUND_MS = 15_000;

/** The answer, or a failure naming the bound if none came within BOUND_MS (a hang). */
async function bounded(call: Promise<ApiResponse>): Promise<ApiResponse> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${BOUND_MS} ms`)), BOUND_MS);
  });
  try {
    return await Promise.race([call, hang]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A DynamoDB endpoint that accepts connections, reads the requests and never answers (a hung
 * server, a black-holed network). Requests that need DynamoDB must answer 503 problem+json once the
 * SDK's timeouts fire: never hang, never 500.
 */
describe('DynamoDB that accepts connections and never answers', () => {
  let blackHole: Server;
  const open = new Set<Socket>();
  let connections = 0;
  let t: TestApp;
  let api: Api;

  beforeAll(async () => {
    blackHole = createServer((socket) => {
      connections++;
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => undefined);
      socket.resume(); // read and discard: the client's request is fully sent, no answer ever comes
    });
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    const { port } = blackHole.address() as AddressInfo;
    t = await startTestApp(
      'dynamodb_timeout',
      { DYNAMODB_ENDPOINT: `http://127.0.0.1:${port}` },
      undefined,
      { createTable: false },
    );
    api = await listen(t);
  });

  afterAll(async () => {
    await t?.close({ dropTable: false });
    for (const socket of open) socket.destroy();
    await new Promise<void>((resolve) => blackHole?.close(() => resolve()));
  });

  function expectUnavailable(res: ApiResponse): void {
    expectProblem(res, 503, 'service_unavailable');
    expect(res.headers.get('retry-after')).toBe('1');
    expect(res.text).not.toMatch(/TimeoutError|Exception|stack/);
  }

  it('GET /health/detailed answers 503 (its DescribeTable is aborted after 1 s)', async () => {
    const before = connections;
    const res = await bounded(api.call('GET', '/health/detailed'));
    expectUnavailable(res);
    expect(res.body.detail).toBe('Not ready: dynamodb down.');
    expect(connections).toBeGreaterThan(before);
    expect((await bounded(api.call('GET', '/health/live'))).body).toMatchObject({
      status: 'healthy',
    });
  });

  it('POST /auth/login answers 503, not 500, once the SDK request timeout fires', async () => {
    const before = connections;
    const res = await bounded(
      api.call('POST', '/auth/login', {
        body: { username: 'jane_doe', password: 'correct horse battery staple' },
      }),
    );
    expectUnavailable(res);
    expect(connections).toBeGreaterThan(before);
  });
});

/**
 * DynamoDB (the real DynamoDB Local, through a proxy) that never answers a deposit's
 * TransactWriteItems: the write may have landed, so the service may only resend that same write,
 * and answers 503 without a new one. The proxy forwards everything else, so the customer is
 * registered and authenticated as usual.
 */
describe("DynamoDB that never answers a deposit's TransactWriteItems (HTTP)", () => {
  let proxy: ReturnType<typeof createHttpServer>;
  const hanging = new Set<ServerResponse>();
  const transactWrites: string[] = [];
  let holdWrites = false;
  let t: TestApp;
  let api: Api;

  beforeAll(async () => {
    const target = new URL(testEndpoint());
    proxy = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        if (holdWrites && String(req.headers['x-amz-target']).endsWith('.TransactWriteItems')) {
          transactWrites.push(body.toString('utf8'));
          hanging.add(res); // never forwarded, never answered
          return;
        }
        const forward = httpRequest(
          {
            host: target.hostname,
            port: target.port,
            method: req.method,
            path: req.url,
            headers: req.headers,
          },
          (upstream) => {
            res.writeHead(upstream.statusCode ?? 502, upstream.headers);
            upstream.pipe(res);
          },
        );
        forward.on('error', () => res.destroy());
        forward.end(body);
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const { port } = proxy.address() as AddressInfo;
    t = await startTestApp('hang', { DYNAMODB_ENDPOINT: `http://127.0.0.1:${port}` });
    api = await listen(t);
  });

  afterAll(async () => {
    holdWrites = false;
    for (const res of hanging) res.socket?.destroy();
    await t?.close();
    await new Promise<void>((resolve) => proxy?.close(() => resolve()));
  });

  it('answers 503 service_unavailable, only ever resends the identical write, and moves no money', async () => {
    const c = await createCustomer(t.http);
    expect((await api.get('/balance', c.accessToken)).body.current_balance).toBe('0.00');
    holdWrites = true;
    const res = await api.post('/balance/deposit', c.accessToken, { amount: '5.00' });
    holdWrites = false;
    expectProblem(res, 503, 'service_unavailable');
    expect(res.headers.get('retry-after')).toBe('1');
    // The SDK's own same-token retries (the budget is spent: no resend), all the very same write.
    expect(transactWrites.length).toBeGreaterThanOrEqual(3);
    expect(new Set(transactWrites).size).toBe(1);
    const write = JSON.parse(transactWrites[0]);
    expect(write.ClientRequestToken).toMatch(/^[A-Za-z0-9_-]{36}$/);
    expect(JSON.stringify(write.TransactItems)).toContain(c.userId);
    // None of the held writes reached DynamoDB: the balance and the history are unchanged.
    const after = await api.get('/balance', c.accessToken);
    expect(after.body.current_balance).toBe('0.00');
    const history = await api.get('/balance/transactions', c.accessToken);
    expect(history.body.transactions).toEqual([]);
  }, 45_000);
});
