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
    this.strategy = new JwtStrategy(tokens.verification, (claims) => this.checkSession(claims));
  }

  authenticate(token: string): Promise<Principal> {
    return this.strategy.verifyToken(token);
  }

  private async checkSession(claims: AccessClaims): Promise<Principal> {
    if (claims.role === 'service') {
      return { userId: claims.sub, username: claims.username, role: 'service' };
    }
    const sessionId = claims.sid as string;
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
