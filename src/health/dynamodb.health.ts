import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { APP_CONFIG, AppConfig } from '../config';
import { DYNAMODB_CLIENT } from '../database/database.tokens';

const TIMEOUT_MS = 1000;

/** DynamoDB is up when DescribeTable on our table answers ACTIVE within a second. */
@Injectable()
export class DynamoDbHealthIndicator {
  constructor(
    private readonly indicator: HealthIndicatorService,
    @Inject(DYNAMODB_CLIENT) private readonly client: DynamoDBClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async check(key = 'dynamodb'): Promise<HealthIndicatorResult> {
    const session = this.indicator.check(key);
    const started = Date.now();
    try {
      const out = await this.client.send(
        new DescribeTableCommand({ TableName: this.config.dynamodb.tableName }),
        { abortSignal: AbortSignal.timeout(TIMEOUT_MS) },
      );
      const status = out.Table?.TableStatus ?? 'UNKNOWN';
      if (status !== 'ACTIVE') return session.down({ table_status: status });
      return session.up({ latency_ms: Date.now() - started });
    } catch {
      return session.down({ message: 'DynamoDB did not answer' });
    }
  }
}
