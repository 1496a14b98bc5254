/**
 * The benchmark's baselines: a bare `node:http` server (no framework, no validation library, no
 * logging, no metrics) in one of two modes. The runner compiles it to plain JavaScript and starts
 * each mode as its own process, on its own table.
 *
 * BASELINE_MODE=minimal: only the DynamoDB work the API contract needs (the headline comparison).
 *   GET  /health                      liveness JSON, no I/O
 *   GET  /users/me/balance            JWT, BatchGetItem session+balance (1 call)
 *   POST /users/me/balance/deposit    JWT, BatchGetItem session+balance, TransactWriteItems (2 calls)
 * BASELINE_MODE=same-calls (default): the DynamoDB calls the service made when this was written.
 *   GET  /users/me/balance            JWT, BatchGetItem session+user, GetItem balance
 *   POST /users/me/balance/deposit    JWT, BatchGetItem, GetItem balance, TransactWriteItems
 * Both modes:
 *   POST /auth/login                  GetItem guard, GetItem user, UpdateItem attempts, bcrypt,
 *                                     DeleteItem attempts, PutItem session, sign JWT
 * A deposit's version conflict re-reads the balance (GetItem) and retries, in both modes.
 *
 * Environment: PORT, DYNAMODB_ENDPOINT, DYNAMODB_TABLE_NAME, JWT_SECRET_KEY, DAILY_DEPOSIT_LIMIT_CENTS,
 * BASELINE_MODE.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Agent, createServer, IncomingMessage, ServerResponse } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import * as bcrypt from 'bcrypt';
import { monotonicFactory, ulid } from 'ulid';
import { isBaselineMode } from './lib/baselines';
import { BASELINE_CALLS_PATH } from './lib/counters';
import {
  formatCents,
  hashRefreshSecret,
  Item,
  keys,
  parseAmountCents,
  prehash,
  sessionItem,
} from './lib/items';
import { Hs256Tokens } from './lib/jwt';

const ACCESS_TTL_SECONDS = 30 * 60;
const REFRESH_TTL_SECONDS = 7 * 86400;
const BODY_LIMIT_BYTES = 100 * 1024;
const MAX_ATTEMPTS = 24;
const LOGIN_MAX_FAILURES = 5;
const LOGIN_WINDOW_SECONDS = 15 * 60;

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`baseline: ${name} is required`);
  return value;
};
const mode = process.env.BASELINE_MODE ?? 'same-calls';
if (!isBaselineMode(mode)) throw new Error(`baseline: BASELINE_MODE "${mode}" is unknown`);
const table = env('DYNAMODB_TABLE_NAME');
const dailyLimitCents = Number(env('DAILY_DEPOSIT_LIMIT_CENTS'));
const tokens = new Hs256Tokens(env('JWT_SECRET_KEY'));
const newTransactionId = monotonicFactory();

const agent = new Agent({ keepAlive: true, maxSockets: 256 });
const client = new DynamoDBClient({
  region: 'us-west-2',
  endpoint: env('DYNAMODB_ENDPOINT'),
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  maxAttempts: 3,
  requestHandler: { httpAgent: agent, connectionTimeout: 1000, requestTimeout: 5000 },
});
const doc = DynamoDBDocumentClient.from(client, {
  marshallOptions: { removeUndefinedValues: true },
});

/** DynamoDB calls per operation, for the runner to compare with the service's metrics. */
const calls: Record<string, number> = {};
// Counted where the service times its calls: one per send, SDK retries included in it.
client.middlewareStack.add(
  (next, context) => (args) => {
    const operation = String(context.commandName ?? 'unknown').replace(/Command$/, '');
    calls[operation] = (calls[operation] ?? 0) + 1;
    return next(args);
  },
  { step: 'initialize', name: 'benchCallCounter' },
);

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(code);
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// ---- authentication: the service's JwtAccessTokenAuthenticator ----------------------------------

const OWNER_ATTRIBUTES = [
  'PK',
  'SK',
  'session_id',
  'user_id',
  'refresh_hash',
  'used_refresh_hashes',
  'credential_version',
  'created_at',
  'last_used_at',
  'expires_at',
  'ip',
  'user_agent',
  'username',
  'role',
  'status',
];
const OWNER_NAMES = Object.fromEntries(OWNER_ATTRIBUTES.map((a, i) => [`#a${i}`, a]));
const OWNER_PROJECTION = Object.keys(OWNER_NAMES).join(', ');

/** One consistent BatchGetItem of these keys, unprocessed keys retried; the items found. */
async function batchGetConsistent(
  wanted: Item[],
  projection?: { ProjectionExpression: string; ExpressionAttributeNames: Record<string, string> },
): Promise<Item[]> {
  let pending = wanted;
  const found: Item[] = [];
  for (let attempt = 1; pending.length > 0; attempt++) {
    if (attempt > 3) throw new HttpError(503, 'service_unavailable');
    const out = await doc.send(
      new BatchGetCommand({
        RequestItems: { [table]: { Keys: pending, ConsistentRead: true, ...projection } },
      }),
    );
    found.push(...(out.Responses?.[table] ?? []));
    pending = out.UnprocessedKeys?.[table]?.Keys ?? [];
    if (pending.length > 0) await sleep(Math.random() * 20 * 2 ** attempt);
  }
  return found;
}

/** A session whose credential version (absent = 0) is not its owner's is dead (a password change). */
function credentialsChanged(session: Item, owner: Item): boolean {
  return Number(session.credential_version ?? 0) !== Number(owner.credential_version ?? 0);
}

/** The verified claims of the request's bearer token, or 401. */
function bearerClaims(req: IncomingMessage): { sub: string; sid: string } {
  const match = /^Bearer +(\S+)$/i.exec(req.headers.authorization ?? '');
  const claims = match ? tokens.verify(match[1]) : null;
  if (!claims) throw new HttpError(401, 'invalid_token');
  return claims;
}

/** The token's session among the items read, if it exists and has not expired. */
function liveSession(found: Item[], sessionId: string): Item | undefined {
  const session = found.find((i) => i.SK === `SESSION#${sessionId}`);
  return session && Number(session.expires_at) > Math.floor(Date.now() / 1000)
    ? session
    : undefined;
}

/** Same-calls: the session and its user (one BatchGetItem), as JwtAccessTokenAuthenticator does. */
async function authenticate(req: IncomingMessage): Promise<string> {
  const claims = bearerClaims(req);
  const found = await batchGetConsistent(
    [keys.session(claims.sub, claims.sid), keys.user(claims.sub)],
    {
      ProjectionExpression: OWNER_PROJECTION,
      ExpressionAttributeNames: OWNER_NAMES,
    },
  );
  const session = liveSession(found, claims.sid);
  const owner = found.find((i) => i.SK === claims.sub);
  if (!session || !owner || owner.status !== 'active' || credentialsChanged(session, owner)) {
    throw new HttpError(401, 'invalid_token');
  }
  return claims.sub;
}

// ---- balance ------------------------------------------------------------------------------------

interface Balance {
  currentCents: number;
  heldCents: number;
  version: number;
  updatedAt: string;
}

function balanceOf(item: Item | undefined): Balance {
  if (!item) throw new HttpError(404, 'not_found');
  return {
    currentCents: Number(item.current_cents),
    heldCents: Number(item.held_cents ?? 0),
    version: Number(item.version ?? 0),
    updatedAt: String(item.updated_at),
  };
}

async function readBalance(userId: string): Promise<Balance> {
  const out = await doc.send(
    new GetCommand({ TableName: table, Key: keys.balance(userId), ConsistentRead: true }),
  );
  return balanceOf(out.Item);
}

/**
 * The caller and its balance. Minimal: the session and the balance read in parallel, in one
 * consistent BatchGetItem (a live session, else 401). Same-calls: the session and its user, then
 * the balance (GetItem).
 */
async function authenticatedBalance(
  req: IncomingMessage,
): Promise<{ userId: string; balance: Balance }> {
  if (mode === 'same-calls') {
    const userId = await authenticate(req);
    return { userId, balance: await readBalance(userId) };
  }
  const { sub, sid } = bearerClaims(req);
  const found = await batchGetConsistent([keys.session(sub, sid), keys.balance(sub)]);
  if (!liveSession(found, sid)) throw new HttpError(401, 'invalid_token');
  return { userId: sub, balance: balanceOf(found.find((i) => i.SK === 'balance')) };
}

const presentBalance = (userId: string, b: Balance) => ({
  user_id: userId,
  current_balance: formatCents(b.currentCents),
  available_balance: formatCents(b.currentCents - b.heldCents),
  held_balance: formatCents(b.heldCents),
  currency: 'USD',
  updated_at: b.updatedAt,
});

async function getBalance(req: IncomingMessage): Promise<[number, unknown]> {
  const { userId, balance } = await authenticatedBalance(req);
  return [200, presentBalance(userId, balance)];
}

/** End of a UTC day plus three days, as the daily counter's TTL. */
const limitCounterExpiry = (day: string) =>
  Math.floor((Date.parse(`${day}T00:00:00.000Z`) + 86400_000) / 1000) + 3 * 86400;

type Outcome = 'applied' | 'retry' | 'daily_limit_exceeded';

function outcomeOf(err: unknown): Outcome {
  const e = err as { name?: string; CancellationReasons?: { Code?: string }[] };
  if (e?.name === 'TransactionInProgressException') return 'retry';
  if (e?.name !== 'TransactionCanceledException') throw err;
  const reasons = e.CancellationReasons ?? [];
  const failed = (i: number) => reasons[i]?.Code === 'ConditionalCheckFailed';
  if (failed(1)) return 'applied';
  if (failed(2)) return 'daily_limit_exceeded';
  if (failed(0) || reasons.some((r) => r.Code === 'TransactionConflict')) return 'retry';
  throw err;
}

interface DepositWrite {
  userId: string;
  amountCents: number;
  expectedVersion: number;
  after: Balance;
  transactionId: string;
  description: string | null;
  requestId: string;
}

/** The service's movement transaction: balance pinned to the version read, transaction item, daily counter. */
function depositTransaction(w: DepositWrite): TransactWriteCommandInput {
  const now = w.after.updatedAt;
  const day = now.slice(0, 10);
  return {
    TransactItems: [
      {
        Update: {
          TableName: table,
          Key: keys.balance(w.userId),
          UpdateExpression:
            'SET current_cents = :current, held_cents = :held, version = :next, updated_at = :now',
          ConditionExpression: 'version = :expected',
          ExpressionAttributeValues: {
            ':current': w.after.currentCents,
            ':held': w.after.heldCents,
            ':next': w.after.version,
            ':now': now,
            ':expected': w.expectedVersion,
          },
        },
      },
      {
        Put: {
          TableName: table,
          Item: {
            ...keys.transaction(w.userId, w.transactionId),
            entity: 'transaction',
            user_id: w.userId,
            transaction_id: w.transactionId,
            transaction_type: 'deposit',
            amount_cents: w.amountCents,
            status: 'completed',
            description: w.description,
            reference_id: null,
            balance_after_cents: w.after.currentCents,
            request_id: w.requestId,
            created_at: now,
            updated_at: now,
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
      {
        Update: {
          TableName: table,
          Key: keys.dailyLimit(w.userId, 'deposit', day),
          UpdateExpression: 'SET entity = :entity, expires_at = :ttl ADD used_cents :amount',
          ConditionExpression: 'attribute_not_exists(used_cents) OR used_cents <= :maxUsed',
          ExpressionAttributeValues: {
            ':entity': 'daily_limit',
            ':ttl': limitCounterExpiry(day),
            ':amount': w.amountCents,
            ':maxUsed': dailyLimitCents - w.amountCents,
          },
        },
      },
    ],
    ClientRequestToken: createHash('sha256')
      .update([w.userId, '', '', w.transactionId].join('\n'))
      .digest('base64url')
      .slice(0, 36),
  };
}

/** Read the balance, write the transaction pinned to its version; a lost race re-reads and retries. */
async function deposit(req: IncomingMessage, body: unknown): Promise<[number, unknown]> {
  const authenticated = await authenticatedBalance(req);
  const { userId } = authenticated;
  let balance = authenticated.balance;
  const input = (body ?? {}) as { amount?: unknown; description?: unknown };
  const amountCents = parseAmountCents(input.amount);
  if (amountCents === null) throw new HttpError(422, 'validation_failed');
  const description =
    typeof input.description === 'string' ? input.description.trim() || null : null;
  const requestId = randomUUID();
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (attempt > 0) {
      await sleep(Math.random() * Math.min(100, 4 * 2 ** attempt));
      balance = await readBalance(userId);
    }
    if (amountCents > dailyLimitCents) throw new HttpError(422, 'daily_limit_exceeded');
    const now = new Date().toISOString();
    const write: DepositWrite = {
      userId,
      amountCents,
      expectedVersion: balance.version,
      after: {
        ...balance,
        currentCents: balance.currentCents + amountCents,
        version: balance.version + 1,
        updatedAt: now,
      },
      transactionId: newTransactionId(),
      description,
      requestId,
    };
    let outcome: Outcome;
    try {
      await doc.send(new TransactWriteCommand(depositTransaction(write)));
      outcome = 'applied';
    } catch (err) {
      outcome = outcomeOf(err);
    }
    if (outcome === 'daily_limit_exceeded') throw new HttpError(422, 'daily_limit_exceeded');
    if (outcome === 'applied') return [201, presentDeposit(write)];
  }
  throw new HttpError(503, 'service_unavailable');
}

function presentDeposit(w: DepositWrite) {
  const at = w.after.updatedAt;
  return {
    success: true,
    message: 'Deposit completed.',
    transaction: {
      transaction_id: w.transactionId,
      transaction_type: 'deposit',
      amount: formatCents(w.amountCents),
      status: 'completed',
      description: w.description,
      reference_id: null,
      balance_after: formatCents(w.after.currentCents),
      created_at: at,
      updated_at: at,
    },
    balance: presentBalance(w.userId, w.after),
    transaction_id: w.transactionId,
    timestamp: at,
  };
}

// ---- login: the service's LoginService ------------------------------------------------------------

let dummyHash: Promise<string> | undefined;

/** Counts the attempt (UpdateItem, conditional on the lockout window), as the service does. */
async function registerAttempt(identifier: string): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  try {
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: keys.loginFailures(identifier),
        UpdateExpression:
          'SET attempts = if_not_exists(attempts, :zero) + :one, last_attempt_at = :now, expires_at = :ttl, entity = :entity',
        ConditionExpression:
          'attribute_not_exists(PK) OR (attempts < :max AND last_attempt_at > :cutoff)',
        ExpressionAttributeValues: {
          ':zero': 0,
          ':one': 1,
          ':now': now,
          ':ttl': now + LOGIN_WINDOW_SECONDS + 60,
          ':entity': 'login_failures',
          ':max': LOGIN_MAX_FAILURES,
          ':cutoff': now - LOGIN_WINDOW_SECONDS,
        },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
  } catch (err) {
    if ((err as { name?: string }).name === 'ConditionalCheckFailedException') {
      throw new HttpError(429, 'account_locked');
    }
    throw err;
  }
}

async function login(req: IncomingMessage, body: unknown): Promise<[number, unknown]> {
  const input = (body ?? {}) as { username?: unknown; password?: unknown };
  if (typeof input.username !== 'string' || typeof input.password !== 'string') {
    throw new HttpError(422, 'validation_failed');
  }
  const identifier = input.username.trim().toLowerCase();
  const guard = await doc.send(
    new GetCommand({
      TableName: table,
      Key: identifier.includes('@') ? keys.emailGuard(identifier) : keys.usernameGuard(identifier),
      ConsistentRead: true,
    }),
  );
  const userId = guard.Item?.user_id as string | undefined;
  const user = userId
    ? (
        await doc.send(
          new GetCommand({ TableName: table, Key: keys.user(userId), ConsistentRead: true }),
        )
      ).Item
    : undefined;
  const lockKey = user ? String(user.username) : identifier;
  await registerAttempt(lockKey);
  // An unknown user costs the same bcrypt work, against a hash nobody can match.
  const hash = user
    ? String(user.password_hash)
    : await (dummyHash ??= bcrypt.hash(randomBytes(32).toString('base64'), 10));
  const matches = await bcrypt.compare(prehash(input.password), hash);
  if (!user || !matches || user.status !== 'active') {
    throw new HttpError(401, 'invalid_credentials');
  }
  await doc.send(new DeleteCommand({ TableName: table, Key: keys.loginFailures(lockKey) }));

  const nowMs = Date.now();
  const sessionId = ulid(nowMs);
  const secret = randomBytes(32).toString('base64url');
  const ua = req.headers['user-agent'];
  await doc.send(
    new PutCommand({
      TableName: table,
      Item: sessionItem(
        user.user_id as string,
        sessionId,
        hashRefreshSecret(secret),
        nowMs,
        REFRESH_TTL_SECONDS,
        {
          ip: req.socket.remoteAddress ?? '',
          userAgent: ua ? ua.slice(0, 256) : null,
        },
        Number(user.credential_version ?? 0),
      ),
      ConditionExpression: 'attribute_not_exists(PK)',
    }),
  );
  const subject = {
    userId: String(user.user_id),
    username: String(user.username),
    role: user.role === 'admin' ? ('admin' as const) : ('customer' as const),
    sessionId,
  };
  return [
    200,
    {
      access_token: tokens.sign(subject, ACCESS_TTL_SECONDS, nowMs),
      token_type: 'bearer',
      expires_in: ACCESS_TTL_SECONDS,
      refresh_token: `${subject.userId}.${sessionId}.${secret}`,
      refresh_expires_in: REFRESH_TTL_SECONDS,
      user_id: subject.userId,
    },
  ];
}

// ---- HTTP -----------------------------------------------------------------------------------------

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > BODY_LIMIT_BYTES) reject(new HttpError(413, 'payload_too_large'));
      else chunks.push(chunk);
    });
    req.on('error', reject);
    req.on('end', () => {
      try {
        resolve(size === 0 ? undefined : JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(new HttpError(400, 'bad_request'));
      }
    });
  });
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(payload),
    ...headers,
  });
  res.end(payload);
}

async function route(req: IncomingMessage): Promise<[number, unknown]> {
  const key = `${req.method} ${req.url}`;
  switch (key) {
    case 'GET /health':
      return [
        200,
        { status: 'healthy', service: `baseline-${mode}`, timestamp: new Date().toISOString() },
      ];
    case 'GET /users/me/balance':
      return getBalance(req);
    case 'POST /users/me/balance/deposit':
      return deposit(req, await readJson(req));
    case 'POST /auth/login':
      return login(req, await readJson(req));
    default:
      throw new HttpError(404, 'not_found');
  }
}

const server = createServer((req, res) => {
  if (req.url === BASELINE_CALLS_PATH) return send(res, 200, calls);
  route(req).then(
    ([status, body]) => send(res, status, body),
    (err: unknown) => {
      if (err instanceof HttpError) {
        send(res, err.status, { code: err.code }, err.status === 503 ? { 'Retry-After': '1' } : {});
      } else if ((err as { $metadata?: unknown })?.$metadata !== undefined) {
        send(res, 503, { code: 'service_unavailable' }, { 'Retry-After': '1' });
      } else {
        console.error(err);
        send(res, 500, { code: 'internal_error' });
      }
    },
  );
});

server.listen(Number(env('PORT')), '127.0.0.1');
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    server.close();
    server.closeAllConnections();
    agent.destroy();
    process.exit(0);
  });
}
