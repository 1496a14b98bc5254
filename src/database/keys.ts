/**
 * Key shapes of the single table (SPEC §5). Only persistence adapters import this file;
 * services and controllers never see PK/SK.
 */
export interface ItemKey {
  PK: string;
  SK: string;
}

export const keys = {
  user: (userId: string): ItemKey => ({ PK: userId, SK: userId }),
  balance: (userId: string): ItemKey => ({ PK: userId, SK: 'balance' }),
  transaction: (userId: string, transactionId: string): ItemKey => ({
    PK: userId,
    SK: `TX#${transactionId}`,
  }),
  usernameGuard: (username: string): ItemKey => ({
    PK: `USERNAME#${username}`,
    SK: `USERNAME#${username}`,
  }),
  emailGuard: (email: string): ItemKey => ({ PK: `EMAIL#${email}`, SK: `EMAIL#${email}` }),
  session: (userId: string, sessionId: string): ItemKey => ({
    PK: userId,
    SK: `SESSION#${sessionId}`,
  }),
  idempotency: (userId: string, key: string): ItemKey => ({
    PK: userId,
    SK: `IDEMPOTENCY#${key}`,
  }),
  dailyLimit: (userId: string, kind: 'deposit' | 'withdraw', day: string): ItemKey => ({
    PK: userId,
    SK: `LIMIT#${kind}#${day}`,
  }),
  asset: (userId: string, assetId: string): ItemKey => ({ PK: userId, SK: `ASSET#${assetId}` }),
  /** One per order id and user: the order service's idempotency key for holds and sells. */
  order: (userId: string, orderId: string): ItemKey => ({ PK: userId, SK: `ORDER#${orderId}` }),
  /**
   * Index of unresolved holds by expiry, spread over a few shards: the release job queries each
   * shard for sort keys before "now"; resolving a hold deletes its entry in the same transaction.
   */
  holdExpiry: (
    shard: number,
    expiresAt: string,
    userId: string,
    transactionId: string,
  ): ItemKey => ({
    PK: `HOLDEXP#${shard}`,
    SK: `${expiresAt}#${userId}#${transactionId}`,
  }),
  /** The latest e-mail token of one purpose (only its SHA-256 is stored). */
  emailToken: (userId: string, purpose: 'verify' | 'reset'): ItemKey => ({
    PK: userId,
    SK: `TOKEN#${purpose}`,
  }),
  /** An outbox mail: spread over a few shards, sorted by its ULID (time). */
  outbox: (shard: number, mailId: string): ItemKey => ({ PK: `OUTBOX#${shard}`, SK: mailId }),
  outboxShard: (shard: number): string => `OUTBOX#${shard}`,
  /** Password-reset requests for one (canonical) address in the current window. */
  resetRequests: (email: string): ItemKey => ({ PK: `RESETREQ#${email}`, SK: `RESETREQ#${email}` }),
  loginFailures: (identifier: string): ItemKey => ({
    PK: `LOGIN#${identifier}`,
    SK: `LOGIN#${identifier}`,
  }),
};

export const SK_PREFIX = {
  transaction: 'TX#',
  session: 'SESSION#',
  asset: 'ASSET#',
} as const;

export const HOLD_EXPIRY_SHARDS = 4;
export const OUTBOX_SHARDS = 4;

/** The outbox shard of a mail: spread by the ULID's last (random) character. */
export function outboxShard(mailId: string): number {
  return mailId.charCodeAt(mailId.length - 1) % OUTBOX_SHARDS;
}

/** The expiry-index shard of a hold: spread by the transaction id's last (random) character. */
export function holdExpiryShard(transactionId: string): number {
  return transactionId.charCodeAt(transactionId.length - 1) % HOLD_EXPIRY_SHARDS;
}

/** Seconds since the epoch, as DynamoDB's TTL attribute (`expires_at`) wants it. */
export function ttlAfter(seconds: number, now = Date.now()): number {
  return Math.floor(now / 1000) + seconds;
}
