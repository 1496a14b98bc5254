/**
 * The same users on both sides: through the service's real HTTP API (register, then log in), and
 * as the equivalent items written straight into the baseline's table (user, name guards, zero
 * balance, one session) with tokens the baseline will accept.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as bcrypt from 'bcrypt';
import { ulid } from 'ulid';
import { hashRefreshSecret, Item, prehash, registrationItems, sessionItem } from './items';
import { Hs256Tokens } from './jwt';
import { PASSWORD } from './load';

export interface SeededUsers {
  usernames: string[];
  accessTokens: string[];
}

const ACCESS_TTL_SECONDS = 30 * 60;
const REFRESH_TTL_SECONDS = 7 * 86400;
const BATCH_WRITE_MAX = 25;

const usernameOf = (i: number) => `bench_${String(i).padStart(4, '0')}`;

/** Runs `task(0..count-1)` with at most `concurrency` in flight; results in index order. */
async function pool<T>(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<T>,
): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      results[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}

async function postJson(url: string, body: unknown, expected: number): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (res.status !== expected) {
    throw new Error(`POST ${url} answered ${res.status} (expected ${expected}): ${text}`);
  }
  return JSON.parse(text);
}

/** Registers and logs in `count` users through the service's HTTP API. */
export async function seedService(
  baseUrl: string,
  count: number,
  concurrency = 8,
): Promise<SeededUsers> {
  const usernames = Array.from({ length: count }, (_, i) => usernameOf(i));
  const accessTokens = await pool(count, concurrency, async (i) => {
    const username = usernames[i];
    await postJson(
      `${baseUrl}/auth/register`,
      {
        username,
        email: `${username}@bench.example.com`,
        password: PASSWORD,
        first_name: 'Bench',
        last_name: 'User',
      },
      201,
    );
    const tokens = (await postJson(
      `${baseUrl}/auth/login`,
      { username, password: PASSWORD },
      200,
    )) as { access_token: string };
    return tokens.access_token;
  });
  return { usernames, accessTokens };
}

/** Writes the equivalent users, balances and sessions into the baseline's table. */
export async function seedBaseline(
  doc: DynamoDBDocumentClient,
  table: string,
  count: number,
  jwtSecret: string,
): Promise<SeededUsers> {
  const signer = new Hs256Tokens(jwtSecret);
  const passwordHash = await bcrypt.hash(prehash(PASSWORD), 10);
  const nowMs = Date.now();
  const now = new Date(nowMs).toISOString();
  const usernames: string[] = [];
  const accessTokens: string[] = [];
  const items: Item[] = [];
  for (let i = 0; i < count; i++) {
    const username = usernameOf(i);
    const userId = randomUUID();
    const sessionId = ulid(nowMs);
    const secret = randomBytes(32).toString('base64url');
    const user = { userId, username, email: `${username}@bench.example.com`, passwordHash };
    items.push(
      ...registrationItems(user, now),
      sessionItem(userId, sessionId, hashRefreshSecret(secret), nowMs, REFRESH_TTL_SECONDS, {
        ip: '127.0.0.1',
        userAgent: 'node',
      }),
    );
    usernames.push(username);
    accessTokens.push(
      signer.sign({ userId, username, role: 'customer', sessionId }, ACCESS_TTL_SECONDS, nowMs),
    );
  }
  for (let i = 0; i < items.length; i += BATCH_WRITE_MAX) {
    let requests = items.slice(i, i + BATCH_WRITE_MAX).map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 1; requests.length > 0; attempt++) {
      if (attempt > 5) throw new Error('BatchWriteItem left baseline seed items unprocessed');
      const out = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
      requests = (out.UnprocessedItems?.[table] ?? []) as typeof requests;
    }
  }
  return { usernames, accessTokens };
}
