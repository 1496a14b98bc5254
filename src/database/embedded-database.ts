import { Injectable, OnApplicationShutdown } from '@nestjs/common';

interface Stoppable {
  stop(): Promise<void>;
}

/** Holds the embedded DynamoDB Local started by `npm start` and stops it after the server closed. */
@Injectable()
export class EmbeddedDatabase implements OnApplicationShutdown {
  private handle?: Stoppable;

  register(handle: Stoppable): void {
    this.handle = handle;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.handle?.stop();
  }
}
