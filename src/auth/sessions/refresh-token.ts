import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { SESSION_ID_SOURCE, USER_ID_SOURCE } from '../../common/ids';

/**
 * Refresh token: `<user_id>.<session_id>.<secret>`, where the secret is 256 random bits (base64url)
 * and only its SHA-256 is stored. The ids are a locator, not a secret (the access token carries them
 * too); they let a refresh find its Session item with one strongly consistent GetItem.
 */
export interface RefreshTokenParts {
  userId: string;
  sessionId: string;
  secret: string;
}

const TOKEN = new RegExp(`^(${USER_ID_SOURCE})\\.(${SESSION_ID_SOURCE})\\.([A-Za-z0-9_-]{43})$`);

export function newRefreshSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function formatRefreshToken(parts: RefreshTokenParts): string {
  return `${parts.userId}.${parts.sessionId}.${parts.secret}`;
}

export function parseRefreshToken(token: string): RefreshTokenParts | null {
  const match = TOKEN.exec(token);
  return match ? { userId: match[1], sessionId: match[2], secret: match[3] } : null;
}

export function hashRefreshSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('base64url');
}

export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
