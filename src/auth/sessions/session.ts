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
  /**
   * The owner's `credential_version` whose password hash the login verified (carried over by every
   * refresh). The session is dead once it differs from the user's: a password change bumps the
   * user's version, and the changing session's in the same transaction.
   */
  readonly credentialVersion: number;
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
 * How a compare-and-set rotation ended: `gone` when the session item no longer exists (logout or a
 * revocation raced the refresh), `reused` when it exists with another hash (the token was redeemed
 * concurrently).
 */
export type RotateOutcome = 'rotated' | 'gone' | 'reused';

/** The password-change rule, applied by the access-token check and by refresh. */
export function credentialsChanged(
  session: Pick<Session, 'credentialVersion'>,
  owner: Pick<UserSummary, 'credentialVersion'>,
): boolean {
  return session.credentialVersion !== owner.credentialVersion;
}
