import { randomBytes } from 'node:crypto';
import type { OpenAPIObject } from '@nestjs/swagger';
import { createApp } from '../src/app.setup';
import { createLogger } from '../src/common/logging/logger';
import { loadConfig } from '../src/config';

/**
 * The document /docs-json serves, from the real app with docs on, no port opened and no database
 * (the app makes no DynamoDB call to start; the endpoint below is never contacted).
 */
export async function servedDocument(): Promise<OpenAPIObject> {
  const config = loadConfig({
    NODE_ENV: 'test',
    DYNAMODB_ENDPOINT: 'http://127.0.0.1:9',
    JWT_SECRET_KEY: randomBytes(32).toString('base64url'),
    LOG_LEVEL: 'silent',
    DOCS_ENABLED: 'true',
  });
  const app = await createApp(config, { logger: createLogger('silent') });
  try {
    const res = await app.getHttpAdapter().getInstance().inject('/docs-json');
    if (res.statusCode !== 200) throw new Error(`GET /docs-json answered ${res.statusCode}`);
    return res.json<OpenAPIObject>();
  } finally {
    await app.close();
  }
}
