import { Readable } from 'node:stream';
import { runInNewContext } from 'node:vm';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { loadConfig } from '../config';
import { createDynamoDbClient, mayHaveTakenEffect } from './dynamodb.client';

type Send = () => Promise<unknown>;

/** A client whose HTTP sends are scripted, one entry per send (the SDK retries up to 3 sends). */
function clientWith(sends: Send[]) {
  const client = createDynamoDbClient(
    loadConfig({
      NODE_ENV: 'test',
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:1',
      JWT_SECRET_KEY: 'unit-test-secret-0123456789abcdef',
    }),
  );
  let n = 0;
  (client.config as unknown as { requestHandler: unknown }).requestHandler = {
    handle: () => sends[Math.min(n++, sends.length - 1)](),
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
  };
  return { client, sent: () => n };
}

const networkError = (code: string) => () =>
  Promise.reject(Object.assign(new Error(`connect ${code}`), { code }));
const timeout = () =>
  Promise.reject(Object.assign(new Error('request timed out'), { name: 'TimeoutError' }));
const answer = (statusCode: number, type: string) => () =>
  Promise.resolve({
    response: {
      statusCode,
      headers: { 'content-type': 'application/x-amz-json-1.0' },
      body: Readable.from([
        Buffer.from(JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}` })),
      ]),
    },
  });

async function failure(sends: Send[]): Promise<{ err: unknown; sent: number }> {
  const { client, sent } = clientWith(sends);
  const err = await client
    .send(new GetItemCommand({ TableName: 't', Key: { PK: { S: 'x' } } }))
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  client.destroy();
  return { err, sent: sent() };
}

describe('createDynamoDbClient: may a failed request have taken effect?', () => {
  it('no, when no send connected', async () => {
    const { err, sent } = await failure([networkError('ECONNREFUSED')]);
    expect(sent).toBe(3);
    expect(mayHaveTakenEffect(err)).toBe(false);
  });

  it('keeps its verdict when the SDK replaces the error (an error from another realm)', async () => {
    const foreign = () =>
      Promise.reject(
        Object.assign(runInNewContext('new Error("connect ECONNREFUSED")') as object, {
          code: 'ECONNREFUSED',
        }),
      );
    const refused = await failure([foreign]);
    expect((refused.err as { code?: string }).code).toBeUndefined(); // the SDK's wrapper
    expect(mayHaveTakenEffect(refused.err)).toBe(false);
    expect(mayHaveTakenEffect((await failure([timeout, foreign])).err)).toBe(true);
  });

  it('no, when DynamoDB refused it with a 4xx answer', async () => {
    const { err } = await failure([answer(400, 'ResourceNotFoundException')]);
    expect((err as Error).name).toBe('ResourceNotFoundException');
    expect(mayHaveTakenEffect(err)).toBe(false);
  });

  it('yes, when a send timed out, even if the later sends were refused', async () => {
    const { err, sent } = await failure([timeout, networkError('ECONNREFUSED')]);
    expect(sent).toBe(3);
    expect((err as { code?: string }).code).toBe('ECONNREFUSED');
    expect(mayHaveTakenEffect(err)).toBe(true);
  });

  it('yes, for a 5xx answer and for TransactionInProgressException', async () => {
    expect(mayHaveTakenEffect((await failure([answer(500, 'InternalServerError')])).err)).toBe(
      true,
    );
    const inProgress = await failure([answer(400, 'TransactionInProgressException')]);
    expect((inProgress.err as Error).name).toBe('TransactionInProgressException');
    expect(mayHaveTakenEffect(inProgress.err)).toBe(true);
  }, 15_000);

  it('yes, for an error the client did not mark', () => {
    expect(mayHaveTakenEffect(new Error('anything'))).toBe(true);
    expect(mayHaveTakenEffect(undefined)).toBe(true);
  });
});
