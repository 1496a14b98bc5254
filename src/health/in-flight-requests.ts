import { Injectable } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';

/**
 * Counts requests that reached their handler and have not finished (response sent or connection
 * gone). Uploads still arriving are not work in flight: cutting them at the shutdown deadline loses
 * nothing the service had started.
 */
@Injectable()
export class InFlightRequests {
  private count = 0;

  get size(): number {
    return this.count;
  }

  track(fastify: FastifyInstance): void {
    fastify.addHook('preHandler', (_request, reply, done) => {
      this.count++;
      reply.raw.once('close', () => this.count--);
      done();
    });
  }
}
