import { BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config';

/**
 * Graceful shutdown, step one: on SIGTERM readiness turns 503 and we wait `drainMs` so the load
 * balancer stops sending traffic; Nest then closes the server, which lets in-flight requests finish.
 * The whole sequence runs under SHUTDOWN_TIMEOUT_MS (shutdown-signals.ts).
 */
@Injectable()
export class ShutdownState implements BeforeApplicationShutdown {
  private shuttingDown = false;
  private closing = false;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** The drain is over and the server is closing: new requests on open connections get 503. */
  get isClosing(): boolean {
    return this.closing;
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.shuttingDown = true;
    if (this.config.shutdownDrainMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, this.config.shutdownDrainMs));
    }
    this.closing = true;
  }
}
