import { createServer } from 'node:net';

export class PortInUseError extends Error {
  constructor(port: number) {
    super(
      `PORT ${port} is already in use by another process: stop it or set PORT to a free port (PORT=0 picks one).`,
    );
    this.name = 'PortInUseError';
  }
}

/**
 * Fails fast, before the embedded emulator is started, when nothing can listen on `port`
 * (0 means "any free port" and always succeeds).
 */
export function assertPortAvailable(port: number, host = '0.0.0.0'): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new PortInUseError(port) : err),
    );
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve()));
  });
}
