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

/** Seconds since the epoch, as DynamoDB's TTL attribute (`expires_at`) wants it. */
export function ttlAfter(seconds: number, now = Date.now()): number {
  return Math.floor(now / 1000) + seconds;
}
