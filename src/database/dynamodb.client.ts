import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { DynamoDB } from '@aws-sdk/client-dynamodb';
import type { AppConfig } from '../config';

/** Observes the duration of every DynamoDB call by command name (e.g. "TransactWriteItems"). */
export type DynamoDbTimer = (operation: string, seconds: number) => void;

const MAX_SOCKETS = 256;

/**
 * One SDK client for the process. Local endpoints get dummy credentials; real AWS uses the default
 * credential chain. Every call is timed through SDK middleware, so dynamoose calls are counted too.
 */
export function createDynamoDbClient(config: AppConfig, timer?: DynamoDbTimer): DynamoDB {
  const endpoint = config.dynamodb.endpoint;
  const client = new DynamoDB({
    region: config.aws.region,
    endpoint,
    credentials: endpoint ? { accessKeyId: 'local', secretAccessKey: 'local' } : undefined,
    maxAttempts: 3,
    requestHandler: {
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets: MAX_SOCKETS }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: MAX_SOCKETS }),
      connectionTimeout: 1000,
      requestTimeout: 5000,
    },
  });
  if (timer) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const started = process.hrtime.bigint();
        try {
          return await next(args);
        } finally {
          const op = String(context.commandName ?? 'unknown').replace(/Command$/, '');
          timer(op, Number(process.hrtime.bigint() - started) / 1e9);
        }
      },
      { step: 'initialize', name: 'durationTimer' },
    );
  }
  return client;
}
