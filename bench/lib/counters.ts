/**
 * DynamoDB calls per operation, counted inside each server: from the service's Prometheus metrics
 * (`dynamodb_operation_duration_seconds_count`, one per SDK send) and from the baseline's own counter
 * (the same kind of SDK middleware). Divided by the requests autocannon sent, they give the calls
 * each side makes per request, so "the same DynamoDB work" is measured, not assumed.
 */
export type CallCounts = Record<string, number>;

/** Where the baseline serves its counts (not part of any scenario). */
export const BASELINE_CALLS_PATH = '/_bench/dynamodb-calls';

const SAMPLE = /^dynamodb_operation_duration_seconds_count\{([^}]*)\}\s+(\S+)$/;
const OPERATION = /operation="([^"]*)"/;

export function parsePrometheus(text: string): CallCounts {
  const calls: CallCounts = {};
  for (const line of text.split('\n')) {
    const sample = SAMPLE.exec(line);
    const operation = sample && OPERATION.exec(sample[1])?.[1];
    if (sample && operation) calls[operation] = (calls[operation] ?? 0) + Number(sample[2]);
  }
  return calls;
}

export async function readCalls(url: string, format: 'prometheus' | 'json'): Promise<CallCounts> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}`);
  return format === 'prometheus'
    ? parsePrometheus(await res.text())
    : ((await res.json()) as CallCounts);
}

export interface CallsPerRequest {
  /** Requests sent to the server between the two readings (warm-up included). */
  readonly requests: number;
  readonly total: number;
  readonly byOperation: Record<string, number>;
}

export function callsPerRequest(
  before: CallCounts,
  after: CallCounts,
  requests: number,
): CallsPerRequest {
  const byOperation: Record<string, number> = {};
  let total = 0;
  for (const [operation, count] of Object.entries(after)) {
    const delta = count - (before[operation] ?? 0);
    if (delta <= 0 || requests <= 0) continue;
    byOperation[operation] = delta / requests;
    total += delta;
  }
  return { requests, total: requests > 0 ? total / requests : 0, byOperation };
}
