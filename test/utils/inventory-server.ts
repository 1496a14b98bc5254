import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the fake inventory service behaves for the next requests. */
export type InventoryMode = 'ok' | 'slow' | 'unavailable' | 'garbage' | 'bad_price';

/**
 * A real HTTP inventory service for e2e tests (`GET /inventory/assets/{id}` → `{asset_id,
 * price_usd}`), on a free loopback port. It can be made slow, answer 503 or garbage, or be
 * stopped (connections refused) and started again on the same port.
 */
export class InventoryServer {
  mode: InventoryMode = 'ok';
  slowMs = 5_000;
  readonly prices = new Map<string, number | string>();
  readonly hits: string[] = [];
  private server?: Server;
  private port = 0;
  private readonly sockets = new Set<import('node:net').Socket>();

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => this.handle(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stops listening and drops open connections: new calls are refused. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const match = /^\/inventory\/assets\/([^/?]+)$/.exec(req.url ?? '');
    const assetId = match ? decodeURIComponent(match[1]) : '';
    this.hits.push(assetId);
    const send = (status: number, body: string, type = 'application/json') => {
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    switch (this.mode) {
      case 'slow': {
        const timer = setTimeout(() => this.answer(assetId, send), this.slowMs);
        res.on('close', () => clearTimeout(timer));
        return;
      }
      case 'unavailable':
        return send(503, '{"detail":"maintenance"}');
      case 'garbage':
        return send(200, '<html>not json', 'text/html');
      case 'bad_price':
        return send(200, JSON.stringify({ asset_id: assetId, price_usd: 'free' }));
      default:
        return this.answer(assetId, send);
    }
  }

  private answer(assetId: string, send: (status: number, body: string) => void): void {
    const price = this.prices.get(assetId);
    if (price === undefined) return send(404, '{"detail":"not found"}');
    send(200, JSON.stringify({ asset_id: assetId, name: assetId, price_usd: price }));
  }
}
