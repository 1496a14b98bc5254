import { Inject, Injectable } from '@nestjs/common';
import { ulid } from 'ulid';
import type { ClientContext } from '../../common/decorators/client-context.decorator';
import { NotFoundError } from '../../common/errors';
import { isSessionId } from '../../common/ids';
import { APP_CONFIG, AppConfig } from '../../config';
import type { User } from '../../users/domain/user';
import { AuthAudit } from '../audit/auth-audit';
import { InvalidRefreshTokenError } from '../auth.errors';
import { TokenService } from '../tokens/token.service';
import {
  formatRefreshToken,
  hashRefreshSecret,
  newRefreshSecret,
  parseRefreshToken,
  sameHash,
} from './refresh-token';
import { credentialsChanged, Session } from './session';
import { SessionRepository } from './session.repository';

/** What login and refresh hand out. */
export interface IssuedTokens {
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  refreshExpiresIn: number;
  userId: string;
  sessionId: string;
}

const nowSeconds = (now: Date) => Math.floor(now.getTime() / 1000);

/**
 * How many already-rotated refresh hashes a session remembers for reuse detection. An older used
 * token is still refused (it matches nothing), it just no longer revokes the session.
 */
export const USED_REFRESH_HASHES_KEPT = 10;

/**
 * Sessions and their refresh-token chain: start at login, rotate on every refresh (a token redeems
 * once), revoke on logout, list and revoke for the owner. Only a secret this session really issued
 * and already rotated away from counts as reuse and revokes the whole session; an unknown secret is
 * a plain 401 that changes nothing, so knowing the (non-secret) user and session ids is not enough
 * to end someone's session. Revoking deletes the Session item, which the JWT guard reads on every
 * request, so the session's access tokens stop working at once.
 */
@Injectable()
export class SessionService {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly tokens: TokenService,
    private readonly audit: AuthAudit,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async start(user: User, client: ClientContext, now = new Date()): Promise<IssuedTokens> {
    const secret = newRefreshSecret();
    const session: Session = {
      sessionId: ulid(now.getTime()),
      userId: user.userId,
      refreshHash: hashRefreshSecret(secret),
      usedRefreshHashes: [],
      // The version of the user item whose hash the login just verified (the same read).
      credentialVersion: user.credentialVersion,
      createdAt: now.toISOString(),
      lastUsedAt: now.toISOString(),
      expiresAt: nowSeconds(now) + this.config.jwt.refreshTtlSeconds,
      ip: client.ip,
      userAgent: client.userAgent,
    };
    await this.sessions.create(session);
    return this.issue(user.userId, user.username, user.role, session.sessionId, secret);
  }

  async refresh(
    refreshToken: string,
    client: ClientContext,
    now = new Date(),
  ): Promise<IssuedTokens> {
    const parts = parseRefreshToken(refreshToken);
    if (!parts) return this.reject(client, null, 'malformed');
    const { session, owner } = await this.sessions.findWithOwner(parts.userId, parts.sessionId);
    if (!session) return this.reject(client, parts.userId, 'no_session');
    if (session.expiresAt <= nowSeconds(now)) {
      await this.sessions.revoke(parts.userId, parts.sessionId);
      return this.reject(client, parts.userId, 'expired');
    }
    const presented = hashRefreshSecret(parts.secret);
    if (!sameHash(presented, session.refreshHash)) {
      // Check every entry (no early exit) so the time taken does not tell which one matched.
      const used = session.usedRefreshHashes.reduce(
        (hit, h) => sameHash(presented, h) || hit,
        false,
      );
      if (used) return this.reuse(client, session);
      // A secret this session never issued (forged, or older than the remembered ones): refused,
      // and nothing is revoked.
      return this.reject(client, parts.userId, 'unknown_secret');
    }
    if (!owner || owner.status !== 'active') {
      await this.sessions.revoke(parts.userId, parts.sessionId);
      return this.reject(client, parts.userId, 'user_gone');
    }
    if (credentialsChanged(session, owner)) {
      // Already dead by the password-change rule; deleting the item is only clean-up.
      await this.sessions.revoke(parts.userId, parts.sessionId);
      return this.reject(client, parts.userId, 'password_changed');
    }
    const secret = newRefreshSecret();
    // Rotation leaves credential_version as it is: the new pair belongs to the same session, and
    // dies with it if a password change commits meanwhile.
    const rotated = await this.sessions.rotate(parts.userId, parts.sessionId, presented, {
      refreshHash: hashRefreshSecret(secret),
      usedRefreshHashes: [presented, ...session.usedRefreshHashes].slice(
        0,
        USED_REFRESH_HASHES_KEPT,
      ),
      lastUsedAt: now.toISOString(),
      expiresAt: nowSeconds(now) + this.config.jwt.refreshTtlSeconds,
      ip: client.ip,
      userAgent: client.userAgent,
    });
    // The item vanished since it was read: a logout or revocation raced this refresh. Not reuse.
    if (rotated === 'gone') return this.reject(client, parts.userId, 'session_gone');
    // The compare-and-set lost: `presented` was the current hash a moment ago and no longer is, so a
    // concurrent refresh redeemed the same token and moved it into the used list. A token used
    // twice is reuse: the session is revoked (conservative; the winner's new pair dies with it).
    if (rotated === 'reused') return this.reuse(client, session);
    this.audit.record('refresh', 'success', client, {
      userId: parts.userId,
      sessionId: parts.sessionId,
    });
    return this.issue(parts.userId, owner.username, owner.role, parts.sessionId, secret);
  }

  /** Logout: ends the caller's own session. */
  async end(userId: string, sessionId: string, client: ClientContext): Promise<void> {
    await this.sessions.revoke(userId, sessionId);
    this.audit.record('logout', 'success', client, { userId, sessionId });
  }

  async revoke(userId: string, sessionId: string, client: ClientContext): Promise<void> {
    // Only ids of the shape login generates become a key; anything else cannot exist.
    if (!isSessionId(sessionId)) throw new NotFoundError('The session does not exist.');
    const existed = await this.sessions.revoke(userId, sessionId);
    if (!existed) throw new NotFoundError('The session does not exist.');
    this.audit.record('session_revoke', 'success', client, { userId, sessionId });
  }

  /** Live sessions of a user, newest first. */
  async list(userId: string, now = new Date()): Promise<Session[]> {
    const live = (await this.sessions.listByUser(userId)).filter(
      (s) => s.expiresAt > nowSeconds(now),
    );
    return live.sort((a, b) => (a.sessionId < b.sessionId ? 1 : -1));
  }

  revokeAllExcept(userId: string, keepSessionId?: string): Promise<number> {
    return this.sessions.revokeAllExcept(userId, keepSessionId);
  }

  private issue(
    userId: string,
    username: string,
    role: User['role'],
    sessionId: string,
    secret: string,
  ): IssuedTokens {
    const access = this.tokens.issueAccessToken({ userId, username, role, sessionId });
    return {
      accessToken: access.token,
      expiresIn: access.expiresIn,
      refreshToken: formatRefreshToken({ userId, sessionId, secret }),
      refreshExpiresIn: this.config.jwt.refreshTtlSeconds,
      userId,
      sessionId,
    };
  }

  private async reuse(client: ClientContext, session: Session): Promise<never> {
    await this.sessions.revoke(session.userId, session.sessionId);
    this.audit.record('refresh_reuse', 'detected', client, {
      userId: session.userId,
      sessionId: session.sessionId,
      reason: 'session_revoked',
    });
    throw new InvalidRefreshTokenError();
  }

  private reject(client: ClientContext, userId: string | null, reason: string): never {
    this.audit.record('refresh', 'failure', client, { userId, reason });
    throw new InvalidRefreshTokenError();
  }
}
