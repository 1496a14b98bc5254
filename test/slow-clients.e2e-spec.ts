import { mkdtempSync, rmSync } from 'node:fs';
import { connect, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { loadConfig } from '../src/config';
import { createDynamoDbClient } from '../src/database/dynamodb.client';
import { findFreePort } from '../src/database/local/dynamodb-local';
import { listen, rawRequest } from './utils/raw-http';
import { httpStatus, spawnServer, waitFor } from './utils/server-process';
import {
  assertTestTableName,
  startTestApp,
  TEST_JWT_SECRET,
  testEndpoint,
  uniqueTableName,
} from './utils/test-app';

const STALLED = 2_000;
const TRICKLING = 200;
const SHUTDOWN_TIMEOUT_MS = 3_000;

/** Sends a POST's headers and one byte of a body that never completes; resolves once connected. */
function stalledUpload(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.write(
        'POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
          'Content-Length: 100000\r\n\r\n{',
      );
      socket.resume();
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

async function openStalled(port: number, count: number): Promise<Socket[]> {
  const sockets: Socket[] = [];
  for (let i = 0; i < count; i += 100) {
    const batch = Array.from({ length: Math.min(100, count - i) }, () => stalledUpload(port));
    sockets.push(...(await Promise.all(batch)));
  }
  for (const s of sockets) s.on('error', () => undefined);
  return sockets;
}

const closed = (s: Socket) => new Promise<void>((r) => (s.destroyed ? r() : s.once('close', r)));

describe('slow clients', () => {
  it('answers a body that trickles past REQUEST_TIMEOUT_MS with 408 problem+json and closes', async () => {
    const t = await startTestApp('slow_request', { REQUEST_TIMEOUT_MS: '1000' });
    try {
      const port = await listen(t.app);
      const socket = connect({ port, host: '127.0.0.1' });
      const chunks: Buffer[] = [];
      socket.on('data', (d: Buffer) => chunks.push(d));
      socket.write(
        'POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n',
      );
      const trickle = setInterval(() => socket.write(' '), 200);
      const started = Date.now();
      await Promise.race([closed(socket), new Promise((r) => setTimeout(r, 15_000))]);
      clearInterval(trickle);
      socket.destroy();
      expect(Date.now() - started).toBeLessThan(15_000);
      const text = Buffer.concat(chunks).toString();
      expect(text).toMatch(/^HTTP\/1\.1 408 /);
      expect(text).toMatch(/content-type: application\/problem\+json/i);
      expect(text).toContain('"code":"request_timeout"');
      // The service still answers on a fresh connection.
      expect(
        (await rawRequest(port, 'GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'))
          .status,
      ).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('refuses connections beyond HTTP_MAX_CONNECTIONS and serves again once they close', async () => {
    const t = await startTestApp('max_connections', { HTTP_MAX_CONNECTIONS: '5' });
    let held: Socket[] = [];
    try {
      const port = await listen(t.app);
      held = await openStalled(port, 5);
      const refused = await rawRequest(port, 'GET /health HTTP/1.1\r\nHost: x\r\n\r\n', 5_000);
      expect(refused.status).toBe(0);
      for (const s of held) s.destroy();
      await waitFor(
        async () =>
          (await rawRequest(port, 'GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'))
            .status === 200,
        10_000,
        'a free connection slot',
      );
    } finally {
      for (const s of held) s.destroy();
      await t.close();
    }
  });

  it(`keeps serving with ${STALLED} stalled uploads open and exits within SHUTDOWN_TIMEOUT_MS of SIGTERM`, async () => {
    const port = await findFreePort();
    const base = `http://127.0.0.1:${port}`;
    const tableName = uniqueTableName('slow_clients');
    assertTestTableName(tableName);
    const dataDir = mkdtempSync(join(tmpdir(), 'slow-clients-'));
    const env = {
      NODE_ENV: 'test',
      PORT: String(port),
      DYNAMODB_ENDPOINT: testEndpoint(),
      DYNAMODB_TABLE_NAME: tableName,
      JWT_SECRET_KEY: TEST_JWT_SECRET,
      BCRYPT_COST: '4',
      LOG_LEVEL: 'warn',
      RATE_LIMIT_ENABLED: 'false',
      LOCAL_DATA_DIR: dataDir,
      REQUEST_TIMEOUT_MS: '120000',
      SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
    };
    const server = spawnServer(env);
    let sockets: Socket[] = [];
    let trickle: NodeJS.Timeout | undefined;
    try {
      await waitFor(async () => (await httpStatus(`${base}/health`)) === 200, 60_000, 'start');
      const user = {
        username: `slow_${Date.now() % 1e9}`,
        email: `slow${Date.now() % 1e9}@example.com`,
        password: 'a long enough passphrase 42',
        first_name: 'Ada',
        last_name: 'Lovelace',
      };
      const json = { 'Content-Type': 'application/json' };
      const reg = await fetch(`${base}/auth/register`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify(user),
      });
      expect(reg.status).toBe(201);

      sockets = await openStalled(port, STALLED);
      trickle = setInterval(() => {
        for (const s of sockets.slice(0, TRICKLING)) if (!s.destroyed) s.write(' ');
      }, 1_000);

      expect(await httpStatus(`${base}/health`)).toBe(200);
      const login = await fetch(`${base}/auth/login`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ username: user.username, password: user.password }),
        signal: AbortSignal.timeout(10_000),
      });
      expect(login.status).toBe(200);
      expect(sockets.filter((s) => s.destroyed)).toHaveLength(0);

      const signalled = Date.now();
      server.child.kill('SIGTERM');
      const exit = await Promise.race([
        server.exited,
        new Promise<'still running'>((r) => setTimeout(() => r('still running'), 20_000)),
      ]);
      const elapsed = Date.now() - signalled;
      // Nothing was in a handler, so cutting the stalled uploads is a clean exit.
      expect(exit).toEqual({ code: 0, signal: null });
      expect(elapsed).toBeGreaterThanOrEqual(SHUTDOWN_TIMEOUT_MS - 100);
      expect(elapsed).toBeLessThan(SHUTDOWN_TIMEOUT_MS + 7_000);
      await Promise.all(sockets.map(closed));
    } finally {
      clearInterval(trickle);
      for (const s of sockets) s.destroy();
      if (server.child.exitCode === null && server.child.signalCode === null) {
        server.child.kill('SIGKILL');
        await server.exited;
      }
      const ddb = createDynamoDbClient(loadConfig(env));
      await ddb.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
      ddb.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 150_000);
});
