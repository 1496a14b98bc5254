import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Principal } from '../../common/auth/principal';
import { CLOCK, type NowMs } from '../../common/clock';
import { AccessTokenAuthenticator } from '../../common/guards/access-token-authenticator';
import { InvalidTokenError } from '../auth.errors';
import { credentialsChanged } from '../sessions/session';
import { SessionRepository } from '../sessions/session.repository';
import { TokenService } from './token.service';

/**
 * Access token → caller. After the signature and claims check, one strongly consistent BatchGetItem
 * reads the session and its user: a revoked or expired session, a deleted or disabled user, or a
 * session whose `credential_version` is not the user's (a password change since its login, other
 * than the session that made it, which the change moved to the new version) → 401.
 * The role and username come from the user item, so a promotion or demotion applies at once.
 * Service tokens have no session and are accepted on signature and expiry alone.
 */
@Injectable()
export class JwtAccessTokenAuthenticator extends AccessTokenAuthenticator {
  constructor(
    private readonly tokens: TokenService,
    private readonly sessions: SessionRepository,
    @Optional() @Inject(CLOCK) private readonly nowMs: NowMs = Date.now,
  ) {
    super();
  }

  async authenticate(token: string): Promise<Principal> {
    const claims = this.tokens.verifyAccessToken(token);
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
