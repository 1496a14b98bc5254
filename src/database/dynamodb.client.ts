import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { DynamoDB } from '@aws-sdk/client-dynamodb';
import type { AppConfig } from '../config';

/** Observes the duration of every DynamoDB call by command name (e.g. "TransactWriteItems"). */
export type DynamoDbTimer = (operation: string, seconds: number) => void;

const MAX_SOCKETS = 256;

/**
 * Per-send limits (the SDK retries a failed send up to twice more). DynamoDB answers in
 * milliseconds, so a send that has not connected within 1 s, has no response within 3 s or stalls
 * for 3 s mid-response is treated as failed: the caller answers 503 instead of hanging (up to
 * 5 minutes, the SDK's socket default). `throwOnRequestTimeout` is what makes `requestTimeout` an
 * error; without it the handler only logs a warning.
 */
export const DYNAMODB_TIMEOUTS = {
  connectionTimeout: 1_000,
  requestTimeout: 3_000,
  throwOnRequestTimeout: true,
  socketTimeout: 3_000,
} as const;

/**
 * Set on every error a client from {@link createDynamoDbClient} throws: false only when no send of
 * the request (the SDK retries it) can have taken effect. Read it with {@link mayHaveTakenEffect}.
 */
export const MAY_HAVE_TAKEN_EFFECT = Symbol.for('user-service.dynamodb.mayHaveTakenEffect');

/** Connection-phase failures: the request never left this process. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * One send that certainly changed nothing: it never connected, or DynamoDB refused it with a 4xx
 * answer. Not TransactionInProgressException: an earlier send with the same ClientRequestToken is
 * still being processed and may commit. Timeouts, lost connections and 5xx may have taken effect.
 */
function sendCertainlyWithoutEffect(err: unknown): boolean {
  const { name, code, $metadata } = (err ?? {}) as {
    name?: unknown;
    code?: unknown;
    $metadata?: { httpStatusCode?: unknown };
  };
  if (typeof code === 'string' && NOT_SENT_CODES.has(code)) return true;
  const status = $metadata?.httpStatusCode;
  return (
    typeof status === 'number' &&
    status >= 400 &&
    status < 500 &&
    name !== 'TransactionInProgressException'
  );
}

/**
 * Whether a failed DynamoDB request may still have taken effect (a write may have landed). True
 * unless the client's tracking proved that none of its sends can have: an unknown error counts as
 * "may have".
 */
export function mayHaveTakenEffect(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return true;
  return (err as Record<symbol, unknown>)[MAY_HAVE_TAKEN_EFFECT] !== false;
}

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
      ...DYNAMODB_TIMEOUTS,
    },
  });
  // Every send's error, inside the retry loop (deserialize step, outside the deserializer) ...
  client.middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (err) {
        if (!sendCertainlyWithoutEffect(err)) {
          (context as Record<symbol, unknown>)[MAY_HAVE_TAKEN_EFFECT] = true;
        }
        throw err;
      }
    },
    { step: 'deserialize', name: 'sendEffectRecorder', priority: 'high' },
  );
  // ... and the verdict over all sends, on the error the caller gets (the retry middleware may
  // throw a new error object, e.g. for errors from another realm).
  client.middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (err) {
        if (typeof err === 'object' && err !== null) {
          (err as Record<symbol, unknown>)[MAY_HAVE_TAKEN_EFFECT] =
            (context as Record<symbol, unknown>)[MAY_HAVE_TAKEN_EFFECT] === true;
        }
        throw err;
      }
    },
    { step: 'initialize', name: 'sendEffectVerdict', priority: 'high' },
  );
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
