import { PassportStrategy } from '@nestjs/passport';
import { Authenticator, type PassportStatic } from 'passport';
import { Strategy } from 'passport-jwt';
import type { Principal } from '../../common/auth/principal';
import { AppError } from '../../common/errors';
import { InvalidTokenError } from '../auth.errors';
import { AccessClaims, AccessTokenVerification, isAccessClaims } from './token.service';

/** What the strategy reads the token from: the guard has already taken it out of the header. */
export interface TokenCarrier {
  accessToken: string;
  /** Called with the verified `sub` just before the session check starts (see AccessTokenAuthenticator). */
  alongside?: (userId: string) => void;
}

/**
 * Every strategy registers on its own passport Authenticator, not on passport's process-wide one:
 * several applications in one process (the e2e tests, two replicas sharing a table) would otherwise
 * share whichever strategy (and database client) was registered last.
 */
const authenticators = new WeakMap<object, PassportStatic>();
function authenticatorOf(strategy: object): PassportStatic {
  const found = authenticators.get(strategy);
  if (found) return found;
  const created = new Authenticator() as PassportStatic;
  authenticators.set(strategy, created);
  return created;
}

/** Tokens remembered at most; the oldest is forgotten first. */
export const VERIFIED_TOKENS_MAX = 10_000;

/**
 * Access tokens passport has verified (signature, algorithm, issuer, audience, expiry), with their
 * claims. A client sends the same token for its whole lifetime; seen again, it skips the signature
 * check — only the exact same string can hit — but not the expiry (checked here as jsonwebtoken
 * does) nor the session check, which runs on every request.
 */
export class VerifiedTokens {
  private readonly claims = new Map<string, Readonly<AccessClaims>>();

  constructor(
    private readonly max = VERIFIED_TOKENS_MAX,
    private readonly nowMs: () => number = Date.now,
  ) {}

  get size(): number {
    return this.claims.size;
  }

  get(token: string): Readonly<AccessClaims> | undefined {
    const claims = this.claims.get(token);
    if (!claims) return undefined;
    if (Math.floor(this.nowMs() / 1000) >= claims.exp) {
      this.claims.delete(token);
      return undefined;
    }
    return claims;
  }

  remember(token: string, claims: AccessClaims): void {
    if (this.claims.size >= this.max) {
      const oldest = this.claims.keys().next().value;
      if (oldest !== undefined) this.claims.delete(oldest);
    }
    this.claims.set(token, Object.freeze({ ...claims }));
  }
}

/**
 * The passport-jwt strategy behind the global JWT guard: the `KeyObject` key, only the configured
 * algorithm, issuer and audience, expiry; then `validate` checks the claims' shape and runs the
 * session check it is given (session, owner status, credential version), so a forged, expired,
 * wrong-issuer or refresh-as-access token and a revoked session all end as the same 401.
 */
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  private readonly verified = new VerifiedTokens();

  constructor(
    verification: AccessTokenVerification,
    private readonly check: (
      claims: AccessClaims,
      alongside?: (userId: string) => void,
    ) => Promise<Principal>,
  ) {
    const { key, algorithm, issuer, audience } = verification;
    super({
      jwtFromRequest: (request: TokenCarrier) => request.accessToken,
      // jsonwebtoken takes a KeyObject: no re-parsing of a string secret on every verify.
      secretOrKey: key as unknown as string,
      algorithms: [algorithm],
      issuer,
      audience,
      passReqToCallback: true,
    });
  }

  async validate(carrier: TokenCarrier, payload: unknown): Promise<Principal> {
    if (!isAccessClaims(payload)) throw new InvalidTokenError();
    this.verified.remember(carrier.accessToken, payload);
    return this.check(payload, carrier.alongside);
  }

  /** Called by the mixin's constructor to register this strategy. */
  getPassportInstance(): PassportStatic {
    return authenticatorOf(this);
  }

  /**
   * Runs passport's authenticate with this strategy on one token; a token it already verified (and
   * not expired) goes straight to the session check.
   */
  verifyToken(accessToken: string, alongside?: (userId: string) => void): Promise<Principal> {
    const known = this.verified.get(accessToken);
    if (known) {
      return this.check(known, alongside).catch((err: unknown) => {
        throw err instanceof AppError ? err : new InvalidTokenError();
      });
    }
    return new Promise((resolve, reject) => {
      const middleware = authenticatorOf(this).authenticate(
        'jwt',
        { session: false },
        (err: unknown, user: Principal | false) => {
          if (err) reject(err instanceof AppError ? err : new InvalidTokenError());
          else if (!user) reject(new InvalidTokenError());
          else resolve(user);
        },
      ) as (req: TokenCarrier, res: object, next: (err?: unknown) => void) => void;
      middleware({ accessToken, alongside }, {}, (err) =>
        reject(err instanceof AppError ? err : new InvalidTokenError()),
      );
    });
  }
}
