import { Global, Module } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { collectDefaultMetrics, register } from 'prom-client';
import { HttpMetrics } from './http-metrics';
import { MetricsController } from './metrics.controller';
import { metricProviders } from './metrics.providers';

/** Process metrics are registered once per process, however many apps a test file builds. */
function collectProcessMetricsOnce(): void {
  if (!register.getSingleMetric('process_cpu_user_seconds_total')) collectDefaultMetrics();
}

@Global()
@Module({
  imports: [
    PrometheusModule.register({
      defaultMetrics: { enabled: false },
      controller: MetricsController,
      path: '/',
    }),
  ],
  providers: [...metricProviders, HttpMetrics],
  exports: [...metricProviders, HttpMetrics],
})
export class MetricsModule {
  constructor() {
    collectProcessMetricsOnce();
  }
}
