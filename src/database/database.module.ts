import { DynamoDB, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import * as dynamoose from 'dynamoose';
import type { Histogram } from 'prom-client';
import { APP_CONFIG, AppConfig } from '../config';
import { DYNAMODB_OPERATION_DURATION } from '../metrics/metric-names';
import { createDynamoDbClient } from './dynamodb.client';
import { DYNAMODB_CLIENT, DYNAMODB_DOCUMENT_CLIENT } from './database.tokens';
import { EmbeddedDatabase } from './embedded-database';

/**
 * One DynamoDB connection pool for the process: the SDK client (timed per operation), a document
 * client over it, and dynamoose bound to the same client.
 */
@Global()
@Module({
  providers: [
    EmbeddedDatabase,
    {
      provide: DYNAMODB_CLIENT,
      inject: [APP_CONFIG, `PROM_METRIC_${DYNAMODB_OPERATION_DURATION.toUpperCase()}`],
      useFactory: (config: AppConfig, histogram: Histogram<string>): DynamoDB => {
        const client = createDynamoDbClient(config, (operation, seconds) =>
          histogram.observe({ operation }, seconds),
        );
        dynamoose.aws.ddb.set(client);
        return client;
      },
    },
    {
      provide: DYNAMODB_DOCUMENT_CLIENT,
      inject: [DYNAMODB_CLIENT],
      useFactory: (client: DynamoDB) =>
        DynamoDBDocumentClient.from(client, {
          marshallOptions: { removeUndefinedValues: true },
        }),
    },
  ],
  exports: [DYNAMODB_CLIENT, DYNAMODB_DOCUMENT_CLIENT, EmbeddedDatabase],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(DYNAMODB_CLIENT) private readonly client: DynamoDBClient) {}

  onApplicationShutdown(): void {
    this.client.destroy();
  }
}
