import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { register } from 'prom-client';
import { Public } from '../common/decorators/public.decorator';

/** Prometheus exposition at /metrics and, for old clients, /internal/metrics (unauthenticated). */
@ApiExcludeController()
@Controller()
export class MetricsController {
  @Public()
  @Get(['metrics', 'internal/metrics'])
  @Header('Content-Type', register.contentType)
  @Header('Cache-Control', 'no-store')
  async scrape(): Promise<string> {
    return register.metrics();
  }
}
