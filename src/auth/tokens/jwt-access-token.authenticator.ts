import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Principal } from '../../common/auth/principal';
import { CLOCK, type NowMs } from '../../common/clock';
import { AccessTokenAuthenticator } from '../../common/guards/access-token-authenticator';
import { InvalidTokenError } from '../auth.errors';
import { credentialsChanged } from '../sessions/session';
import { SessionRepository } from '../sessions/session.repository';
import { JwtStrategy } from './jwt.strategy';
import { AccessClaims, TokenService } from './token.service';

/**
 * Access token → caller, through the passport-jwt strategy (signature with the configured algorithm
 * only, issuer, audience, expiry), whose validation is the session check here: one strongly
 * consistent BatchGetItem reads the session and its user; a revoked or expired session, a deleted or
 * disabled user, or a session whose `credential_version` is not the user's (a password change or
 * reset since its login, other than the session that made a change) → 401.
 * The role and username come from the user item, so a promotion or demotion applies at once.
 * Service tokens have no session and are accepted on signature and expiry alone.
 * `alongside` (the guard's read of the caller's own data) is called with the signature-verified
 * user id just before the session read is issued, so both go out together; its result is used only
 * once the session check has passed.
 */
@Injectable()
export class JwtAccessTokenAuthenticator extends AccessTokenAuthenticator {
  private readonly strategy: JwtStrategy;

  constructor(
    tokens: TokenService,
    private readonly sessions: SessionRepository,
    @Optional() @Inject(CLOCK) private readonly nowMs: NowMs = Date.now,
  ) {
    super();
    this.strategy = new JwtStrategy(tokens.verification, (claims, alongside) =>
      this.checkSession(claims, alongside),
    );
  }

  authenticate(token: string, alongside?: (userId: string) => void): Promise<Principal> {
    return this.strategy.verifyToken(token, alongside);
  }

  private async checkSession(
    claims: AccessClaims,
    alongside?: (userId: string) => void,
  ): Promise<Principal> {
    if (claims.role === 'service') {
      return { userId: claims.sub, username: claims.username, role: 'service' };
    }
    const sessionId = claims.sid as string;
    // The route's own read starts in the same turn as the session read: one round trip for both.
    alongside?.(claims.sub);
    const { session, owner } = await this.sessions.findWithOwner(claims.sub, sessionId);
    const now = Math.floor(this.nowMs() / 1000);
    if (
      !session ||
      session.expiresAt <= now ||
      !owner ||
      owner.status !== 'active' ||
      credentialsChanged(session, owner)
    ) {
      throw new InvalidTokenError();
    }
    return { userId: claims.sub, username: owner.username, role: owner.role, sessionId };
  }
}
