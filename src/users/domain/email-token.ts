import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { OutboxMail } from '../../mail/mail.types';

export type EmailTokenPurpose = 'verify' | 'reset';

/** Lifetimes (SPEC §4): verification links 24 h, reset links 30 min. */
export const EMAIL_TOKEN_TTL_SECONDS: Record<EmailTokenPurpose, number> = {
  verify: 24 * 3600,
  reset: 30 * 60,
};

/** The stored half of an e-mail token: only the SHA-256 of its secret, the latest one per purpose. */
export interface EmailToken {
  readonly userId: string;
  readonly purpose: EmailTokenPurpose;
  readonly hash: string;
  /** The address the link was sent to (verification confirms exactly this one). */
  readonly email: string;
  readonly createdAt: string;
  /** Epoch seconds (also the item's TTL). */
  readonly expiresAt: number;
}

/** What a token-issuing write adds to its transaction: the token (replacing older ones) and mails. */
export interface AccountWrites {
  readonly token?: EmailToken;
  readonly mails: readonly OutboxMail[];
}

const TOKEN =
  /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([A-Za-z0-9_-]{43})$/;

export const hashEmailSecret = (secret: string) =>
  createHash('sha256').update(secret, 'utf8').digest('base64url');

/** A new token `<user_id>.<256 random bits>` and the record to store (hash only). */
export function newEmailToken(
  userId: string,
  purpose: EmailTokenPurpose,
  email: string,
  now = new Date(),
): { token: string; record: EmailToken } {
  const secret = randomBytes(32).toString('base64url');
  return {
    token: `${userId}.${secret}`,
    record: {
      userId,
      purpose,
      hash: hashEmailSecret(secret),
      email,
      createdAt: now.toISOString(),
      expiresAt: Math.floor(now.getTime() / 1000) + EMAIL_TOKEN_TTL_SECONDS[purpose],
    },
  };
}

/** The user id and the hash of the secret, or null for anything not shaped like our tokens. */
export function parseEmailToken(token: string): { userId: string; hash: string } | null {
  const match = TOKEN.exec(token);
  return match ? { userId: match[1], hash: hashEmailSecret(match[2]) } : null;
}

/** Whether a presented token matches the stored one and is still valid (constant-time compare). */
export function tokenMatches(stored: EmailToken | null, hash: string, nowMs: number): boolean {
  if (!stored) return false;
  const a = Buffer.from(stored.hash);
  const b = Buffer.from(hash);
  const same = a.length === b.length && timingSafeEqual(a, b);
  return same && stored.expiresAt > Math.floor(nowMs / 1000);
}
