import { Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter, Histogram } from 'prom-client';
import { HTTP_REQUEST_DURATION, HTTP_REQUESTS_TOTAL } from './metric-names';

export const UNMATCHED_ROUTE = '<unmatched>';

/** Records one finished HTTP request; called from Fastify's onResponse hook so 401/429 count too. */
@Injectable()
export class HttpMetrics {
  constructor(
    @InjectMetric(HTTP_REQUESTS_TOTAL) private readonly requests: Counter<string>,
    @InjectMetric(HTTP_REQUEST_DURATION) private readonly duration: Histogram<string>,
  ) {}

  record(method: string, route: string | undefined, status: number, seconds: number): void {
    const labels = { method, route: route ?? UNMATCHED_ROUTE, status: String(status) };
    this.requests.inc(labels);
    this.duration.observe(labels, seconds);
  }
}
