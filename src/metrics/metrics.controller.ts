import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { register } from 'prom-client';
import { Public } from '../common/decorators/public.decorator';

/** Prometheus exposition at /metrics and, for old clients, /internal/metrics (unauthenticated). */
@ApiTags('metrics')
@Controller()
export class MetricsController {
  @Public()
  @Get(['metrics', 'internal/metrics'])
  @Header('Content-Type', register.contentType)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Prometheus metrics in the text exposition format.' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text format 0.0.4.', schema: { type: 'string' } })
  async scrape(): Promise<string> {
    return register.metrics();
  }
}
