import type { UserSummary } from '../../users/domain/user';

/** A login session: one refresh-token chain. Times are ISO strings except `expiresAt` (epoch s). */
export interface Session {
  readonly sessionId: string;
  readonly userId: string;
  /** SHA-256 (base64url) of the current refresh secret. */
  readonly refreshHash: string;
  /**
   * SHA-256 of the last few refresh secrets this session already rotated away from, newest first.
   * Presenting one of them is reuse (the session is revoked); a secret in neither list is just wrong.
   */
  readonly usedRefreshHashes: readonly string[];
  readonly createdAt: string;
  readonly lastUsedAt: string;
  /** Refresh expiry, epoch seconds; also the item's TTL. */
  readonly expiresAt: number;
  readonly ip: string | null;
  readonly userAgent: string | null;
}

/** What a refresh changes on the session. */
export interface SessionRotation {
  readonly refreshHash: string;
  readonly usedRefreshHashes: readonly string[];
  readonly lastUsedAt: string;
  readonly expiresAt: number;
  readonly ip: string | null;
  readonly userAgent: string | null;
}

/**
 * The password-change rule: a session created before the owner's `password_changed_at` is dead,
 * whether or not its item was deleted yet, except the session that made the change (its id is
 * stored with the timestamp as `password_changed_by_session`). The access-token check and refresh
 * both apply it, so revoking the other items after a change is only clean-up.
 */
export function outlivedPasswordChange(
  session: Pick<Session, 'sessionId' | 'createdAt'>,
  owner: Pick<UserSummary, 'passwordChangedAt' | 'passwordChangedBySession'>,
): boolean {
  if (owner.passwordChangedAt === null) return false;
  if (owner.passwordChangedBySession === session.sessionId) return false;
  // Written so that an unparsable timestamp (NaN) counts as "older": fail closed.
  return !(Date.parse(session.createdAt) >= Date.parse(owner.passwordChangedAt));
}
