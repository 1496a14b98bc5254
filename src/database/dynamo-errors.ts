/**
 * DynamoDB error helpers shared by every persistence adapter: cancellation reasons, outage
 * detection (→ 503, never 500) and backoff. Only adapters (and the problem filter's last-resort
 * mapping) import this file.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AppError, ServiceUnavailableError } from '../common/errors';

/** Per-item cancellation codes of a failed TransactWriteItems ('None' for items that were fine). */
export function cancellationCodes(err: unknown): string[] | null {
  if (!(err instanceof TransactionCanceledException)) return null;
  return (err.CancellationReasons ?? []).map((r) => r.Code ?? 'None');
}

export const isConditionFailure = (code: string | undefined) => code === 'ConditionalCheckFailed';
export const isTransactionConflict = (codes: string[]) =>
  codes.includes('TransactionConflict') && !codes.some(isConditionFailure);

export function isConditionalCheckFailed(err: unknown): boolean {
  return (err as { name?: string } | null)?.name === 'ConditionalCheckFailedException';
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Full-jitter exponential backoff: 0..(base·2^attempt) ms. */
export const backoffMs = (attempt: number, baseMs = 20) => Math.random() * baseMs * 2 ** attempt;

/** SDK errors that mean the request itself was wrong (a bug to see as a 500), not an outage. */
const REQUEST_BUGS = new Set(['ValidationException', 'SerializationException']);

/** Whether `err` is an SDK error saying our request was malformed: a bug, never a 503. */
export function isSdkRequestBug(err: unknown): boolean {
  const name = (err as { name?: unknown } | null)?.name;
  return typeof name === 'string' && REQUEST_BUGS.has(name);
}

/** Whether `err` says DynamoDB could not be reached or used (network, timeout, throttling, 5xx). */
export function isStoreOutage(err: unknown): boolean {
  if (typeof err !== 'object' || err === null || err instanceof AppError) return false;
  const e = err as { name?: unknown; $metadata?: unknown; code?: unknown };
  if (isSdkRequestBug(err)) return false;
  if (isConditionalCheckFailed(err) || err instanceof TransactionCanceledException) return false;
  return e.$metadata !== undefined || typeof e.code === 'string' || e.name === 'TimeoutError';
}

/**
 * Runs a store call; an outage becomes a 503 `service_unavailable` with Retry-After, never a 500
 * (SPEC §3: a dependency that is down is 503).
 */
export async function store<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (isStoreOutage(err)) {
      throw new ServiceUnavailableError(
        'The user store is temporarily unavailable; try again shortly.',
        1,
      );
    }
    throw err;
  }
}

/** The document client with every `send` passed through `store` (outage → 503). */
export function withOutageMapping(doc: DynamoDBDocumentClient): DynamoDBDocumentClient {
  return new Proxy(doc, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver);
      const send = target.send.bind(target) as (...args: unknown[]) => Promise<unknown>;
      return (...args: unknown[]) => store(() => send(...args));
    },
  });
}
