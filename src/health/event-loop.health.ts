import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';

const MAX_P99_MS = 1000;

/** Event-loop delay (p99 since the last check); down when the loop is blocked for a second or more. */
@Injectable()
export class EventLoopHealthIndicator implements OnModuleDestroy {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 20 });

  constructor(private readonly indicator: HealthIndicatorService) {
    this.histogram.enable();
  }

  check(key = 'event_loop'): HealthIndicatorResult {
    const p99 = this.histogram.percentile(99) / 1e6;
    this.histogram.reset();
    const session = this.indicator.check(key);
    const details = { p99_delay_ms: Math.round(p99 * 10) / 10 };
    return p99 < MAX_P99_MS ? session.up(details) : session.down(details);
  }

  onModuleDestroy(): void {
    this.histogram.disable();
  }
}
