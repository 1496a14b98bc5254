import { recordSecretFields } from './http-secrets';
import { recordSecrets } from './run-audit';
import type { TestApp } from './test-app';

export interface ApiResponse {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  text: string;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  /** Sent verbatim as the request body (for numbers JSON.stringify cannot produce, or bytes). */
  rawBody?: string | Uint8Array;
  headers?: Record<string, string>;
  /** Fail the call (AbortSignal timeout) if no answer came within this long; 30 s unless given. */
  timeoutMs?: number;
}

/**
 * The tests' one HTTP client: fetch over a real socket (keep-alive), against a listening test app
 * (`listen(t)`) or a spawned server. Every credential it sends or receives is recorded for the run's
 * log audit. A `Content-Type` given in `headers` is sent as is (JSON is the default for a body).
 */
export class Api {
  constructor(readonly base: string) {}

  async call(method: string, path: string, options: CallOptions = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    recordSecrets(options.token);
    let body: string | Uint8Array | undefined = options.rawBody;
    if (body === undefined && options.body !== undefined) body = JSON.stringify(options.body);
    if (typeof body === 'string') recordSecretFields(body);
    const typed = Object.keys(headers).some((name) => name.toLowerCase() === 'content-type');
    if (body !== undefined && !typed) headers['content-type'] = 'application/json';
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers,
      body,
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    });
    const text = await res.text();
    recordSecretFields(text);
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, body: parsed, text };
  }

  get(path: string, token: string): Promise<ApiResponse> {
    return this.call('GET', path, { token });
  }

  post(
    path: string,
    token: string,
    body: unknown,
    headers?: Record<string, string>,
  ): Promise<ApiResponse> {
    return this.call('POST', path, { token, body, headers });
  }
}

/** The answer, after checking its status (for answers whose body the caller reads next). */
export async function expectStatus(
  res: Promise<ApiResponse>,
  status: number,
): Promise<ApiResponse> {
  const answer = await res;
  expect(answer.status).toBe(status);
  return answer;
}

/** Makes the test app listen on an ephemeral local port and returns a client for it. */
export async function listen(t: TestApp): Promise<Api> {
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.getHttpServer().address();
  if (!address || typeof address === 'string') throw new Error('test app is not listening');
  return new Api(`http://127.0.0.1:${address.port}`);
}

/** Deterministic PRNG (mulberry32), so a failing random scenario can be replayed from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs `tasks` with at most `concurrency` in flight; results keep the tasks' order. */
export async function runPool<T>(
  concurrency: number,
  tasks: Array<() => Promise<T>>,
): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const workers = Array.from({ length: concurrency }, async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  });
  await Promise.all(workers);
  return results;
}

/** "12.34" → 1234 (test-side, string arithmetic only). */
export function cents(text: string): number {
  const match = /^(-?)(\d+)\.(\d{2})$/.exec(text);
  if (!match) throw new Error(`not a money string: ${text}`);
  const value = Number(match[2]) * 100 + Number(match[3]);
  return match[1] ? -value : value;
}

/** 1234 → "12.34" (test-side, string arithmetic only). */
export function money(cents: number): string {
  const digits = String(Math.abs(cents)).padStart(3, '0');
  return `${cents < 0 ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/** Integer units of 1e-8 → decimal text: 150000000 → "1.5". */
export function quantity(units: number): string {
  const digits = String(units).padStart(9, '0');
  const fraction = digits.slice(-8).replace(/0+$/, '');
  return fraction ? `${digits.slice(0, -8)}.${fraction}` : digits.slice(0, -8);
}
