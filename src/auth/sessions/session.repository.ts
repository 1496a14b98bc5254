import type { UserSummary } from '../../users/domain/user';
import type { RotateOutcome, Session, SessionRotation } from './session';

/** A session and its owner, read together (the JWT guard's one round trip). */
export interface SessionWithOwner {
  session: Session | null;
  owner: UserSummary | null;
}

/** Port for Session items. Revocation deletes the item, so "exists" means "not revoked". */
export abstract class SessionRepository {
  abstract create(session: Session): Promise<void>;

  /** Session and user, strongly consistent, in one request. */
  abstract findWithOwner(userId: string, sessionId: string): Promise<SessionWithOwner>;

  /**
   * Replaces the refresh hash only if it is still `expectedHash` (compare-and-set), so one refresh
   * token can be redeemed once even under concurrency. `credentialVersion` is carried over as is.
   * `gone`: the session item no longer exists; `reused`: it holds another hash.
   */
  abstract rotate(
    userId: string,
    sessionId: string,
    expectedHash: string,
    next: SessionRotation,
  ): Promise<RotateOutcome>;

  /** Deletes one session; false if there was none. */
  abstract revoke(userId: string, sessionId: string): Promise<boolean>;

  abstract listByUser(userId: string): Promise<Session[]>;

  /** Deletes every session of the user except `keepSessionId`; returns how many. */
  abstract revokeAllExcept(userId: string, keepSessionId?: string): Promise<number>;
}
