import { getHeapStatistics } from 'node:v8';
import { Controller, Get, Header, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ServiceUnavailableError } from '../common/errors';
import {
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckResult,
  HealthCheckService,
  MemoryHealthIndicator,
} from '@nestjs/terminus';
import { Public } from '../common/decorators/public.decorator';
import { APP_CONFIG, AppConfig } from '../config';
import { DynamoDbHealthIndicator } from './dynamodb.health';
import { EventLoopHealthIndicator } from './event-loop.health';
import { LivenessDto } from './health.dto';
import { livenessOf } from './liveness';
import { ShutdownState } from './shutdown-state';

/**
 * Not ready when the heap is within 10 % of the process's own limit (V8's `heap_size_limit`, which
 * follows `--max-old-space-size` and, on Node ≥ 20, the container's memory limit): close to an
 * out-of-memory crash, not an arbitrary fixed size.
 */
const HEAP_LIMIT_BYTES = Math.floor(getHeapStatistics().heap_size_limit * 0.9);

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly memory: MemoryHealthIndicator,
    private readonly dynamodb: DynamoDbHealthIndicator,
    private readonly eventLoop: EventLoopHealthIndicator,
    private readonly shutdown: ShutdownState,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Liveness: the process answers (no dependency calls).' })
  @ApiOkResponse({ type: LivenessDto })
  liveness(): LivenessDto {
    // Requests are answered by answerLivenessEarly (liveness.ts) before they reach Nest.
    return livenessOf(this.config.version);
  }

  @Get('live')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Kubernetes liveness probe (no dependency calls).' })
  @ApiOkResponse({ type: LivenessDto })
  live(): LivenessDto {
    return this.liveness();
  }

  @Get(['ready', 'detailed'])
  @Header('Cache-Control', 'no-store')
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOperation({
    summary:
      'Readiness: DynamoDB (DescribeTable), heap and event-loop delay; 503 when any is down or the process is shutting down.',
  })
  @ApiOkResponse({ description: 'Terminus health report, status "ok".' })
  @ApiServiceUnavailableResponse({ description: 'Terminus health report, status "error".' })
  async readiness(): Promise<HealthCheckResult> {
    if (this.shutdown.isShuttingDown) {
      throw new ServiceUnavailableError('Not ready: the process is shutting down.');
    }
    try {
      return await this.health.check([
        () => this.dynamodb.check(),
        () => this.memory.checkHeap('memory_heap', HEAP_LIMIT_BYTES),
        () => this.eventLoop.check(),
      ]);
    } catch (err) {
      if (!(err instanceof ServiceUnavailableException)) throw err;
      const report = err.getResponse() as HealthCheckResult;
      const down = Object.keys(report.error ?? {}).join(', ') || 'a dependency';
      throw new ServiceUnavailableError(`Not ready: ${down} down.`);
    }
  }
}
