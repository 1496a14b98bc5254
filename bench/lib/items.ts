/**
 * The baseline's copy of the single-table item shapes (SPEC §5) it reads and writes: the same keys
 * and attributes as the service's adapters, written out here so the baseline stays a bare Node
 * program that imports nothing from src/.
 */
import { createHash } from 'node:crypto';

export type Item = Record<string, unknown>;

export const keys = {
  user: (userId: string) => ({ PK: userId, SK: userId }),
  balance: (userId: string) => ({ PK: userId, SK: 'balance' }),
  transaction: (userId: string, id: string) => ({ PK: userId, SK: `TX#${id}` }),
  session: (userId: string, id: string) => ({ PK: userId, SK: `SESSION#${id}` }),
  usernameGuard: (u: string) => ({ PK: `USERNAME#${u}`, SK: `USERNAME#${u}` }),
  emailGuard: (e: string) => ({ PK: `EMAIL#${e}`, SK: `EMAIL#${e}` }),
  dailyLimit: (userId: string, kind: string, day: string) => ({
    PK: userId,
    SK: `LIMIT#${kind}#${day}`,
  }),
  loginFailures: (id: string) => ({ PK: `LOGIN#${id}`, SK: `LOGIN#${id}` }),
};

/** base64(SHA-256(NFKC(password))): what bcrypt hashes and compares, as in the service. */
export function prehash(password: string): string {
  return createHash('sha256').update(password.normalize('NFKC'), 'utf8').digest('base64');
}

export function hashRefreshSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('base64url');
}

export interface SeedUser {
  userId: string;
  username: string;
  email: string;
  passwordHash: string;
}

/** The user item, its name guards and zero balance, as the registration transaction writes them. */
export function registrationItems(u: SeedUser, now: string): Item[] {
  const guard = { user_id: u.userId, created_at: now };
  return [
    {
      ...keys.user(u.userId),
      entity: 'user',
      user_id: u.userId,
      username: u.username,
      email: u.email,
      password_hash: u.passwordHash,
      first_name: 'Bench',
      last_name: 'User',
      marketing_emails_consent: false,
      role: 'customer',
      status: 'active',
      created_at: now,
      updated_at: now,
      credential_version: 0,
    },
    { ...keys.usernameGuard(u.username), entity: 'username_guard', ...guard },
    { ...keys.emailGuard(u.email), entity: 'email_guard', ...guard },
    {
      ...keys.balance(u.userId),
      entity: 'balance',
      user_id: u.userId,
      current_cents: 0,
      held_cents: 0,
      version: 0,
      updated_at: now,
    },
  ];
}

export function sessionItem(
  userId: string,
  sessionId: string,
  refreshHash: string,
  nowMs: number,
  ttlSeconds: number,
  client: { ip: string; userAgent: string | null },
  credentialVersion = 0,
): Item {
  const now = new Date(nowMs).toISOString();
  const item: Item = {
    ...keys.session(userId, sessionId),
    entity: 'session',
    session_id: sessionId,
    user_id: userId,
    refresh_hash: refreshHash,
    used_refresh_hashes: [],
    credential_version: credentialVersion,
    created_at: now,
    last_used_at: now,
    expires_at: Math.floor(nowMs / 1000) + ttlSeconds,
    ip: client.ip,
  };
  if (client.userAgent) item.user_agent = client.userAgent;
  return item;
}

/** Cents to "12.34" (non-negative amounts in this benchmark). */
export function formatCents(cents: number): string {
  const digits = String(Math.abs(cents)).padStart(3, '0');
  const text = `${digits.slice(0, -2)}.${digits.slice(-2)}`;
  return cents < 0 ? `-${text}` : text;
}

const AMOUNT = /^(\d{1,15})(?:\.(\d{1,2}))?$/;

/** A request amount (number or numeric string, ≤ 2 decimals, 0.01 to 1,000,000) in cents, or null. */
export function parseAmountCents(value: unknown): number | null {
  const text = typeof value === 'number' ? String(value) : value;
  const match = typeof text === 'string' ? AMOUNT.exec(text) : null;
  if (!match) return null;
  const cents = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  return cents >= 1 && cents <= 100_000_000 ? cents : null;
}
