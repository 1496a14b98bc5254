import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  raw: string;
}

/** Parses the first HTTP/1.1 response in `raw` (no chunked bodies: the service sends Content-Length). */
export function parseRawResponse(raw: string): RawResponse {
  const end = raw.indexOf('\r\n\r\n');
  const head = end >= 0 ? raw.slice(0, end) : raw;
  const [statusLine, ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0)
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const rest = end >= 0 ? raw.slice(end + 4) : '';
  const length = Number(headers['content-length'] ?? rest.length);
  return {
    status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0),
    headers,
    body: rest.slice(0, length),
    raw,
  };
}

/**
 * Sends bytes exactly as given to a loopback port and collects everything until the server closes
 * the connection (or `timeoutMs`, then whatever arrived). For requests supertest cannot express.
 */
export function rawRequest(
  port: number,
  text: string | Buffer,
  timeoutMs = 10_000,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const chunks: Buffer[] = [];
    const finish = () => {
      clearTimeout(timer);
      resolve(parseRawResponse(Buffer.concat(chunks).toString('latin1')));
    };
    const timer = setTimeout(() => {
      socket.destroy();
      finish();
    }, timeoutMs);
    socket.on('connect', () => socket.write(text));
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('close', finish);
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') {
        clearTimeout(timer);
        reject(err);
      }
    });
  });
}

/** Makes an app built by startTestApp listen on a free loopback port (or `host`); returns the port. */
export async function listen(
  app: { listen(opts: { port: number; host: string }): Promise<unknown>; getHttpServer(): unknown },
  host = '127.0.0.1',
): Promise<number> {
  await app.listen({ port: 0, host });
  const address = (app.getHttpServer() as import('node:net').Server).address();
  if (!address || typeof address === 'string') throw new Error('no address');
  return address.port;
}
