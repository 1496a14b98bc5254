import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DynamoDbHealthIndicator } from './dynamodb.health';
import { EventLoopHealthIndicator } from './event-loop.health';
import { HealthController } from './health.controller';
import { InFlightRequests } from './in-flight-requests';
import { ShutdownState } from './shutdown-state';

@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json', logger: false })],
  controllers: [HealthController],
  providers: [DynamoDbHealthIndicator, EventLoopHealthIndicator, ShutdownState, InFlightRequests],
})
export class HealthModule {}
