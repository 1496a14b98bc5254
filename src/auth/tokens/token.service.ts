import { createSecretKey, KeyObject, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { Role } from '../../common/auth/principal';
import { APP_CONFIG, AppConfig } from '../../config';
import { InvalidTokenError } from '../auth.errors';

/** Claims of an access token (SPEC §4): `sub`=user id, `sid`=session id, `type: "access"`. */
export interface AccessClaims {
  sub: string;
  username: string;
  role: Role;
  /** Absent on service tokens, which have no session. */
  sid?: string;
  jti: string;
  iat: number;
  exp: number;
  type: 'access';
}

export interface AccessTokenSubject {
  userId: string;
  username: string;
  role: Exclude<Role, 'service'>;
  sessionId: string;
}

const ROLES: readonly Role[] = ['customer', 'admin', 'service'];
export const SERVICE_NAME_PATTERN = /^[a-z][a-z0-9-]{1,62}$/;
export const MAX_SERVICE_TOKEN_DAYS = 365;

/**
 * Signs and verifies JWTs. The secret is a `KeyObject` (jsonwebtoken re-parses a string secret on
 * every call; measured ~50x slower) and only the configured algorithm is accepted, with issuer,
 * audience and expiry checked, so `alg: none`, another algorithm, another key, a tampered payload or
 * an expired token all fail the same way.
 */
/** What an access token is verified with: the key and the one algorithm, issuer and audience. */
export interface AccessTokenVerification {
  readonly key: KeyObject;
  readonly algorithm: AppConfig['jwt']['algorithm'];
  readonly issuer: string;
  readonly audience: string;
}

@Injectable()
export class TokenService {
  private readonly jwt: JwtService;
  readonly verification: AccessTokenVerification;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    const key: KeyObject = createSecretKey(Buffer.from(config.jwt.secret, 'utf8'));
    const { algorithm, issuer, audience } = config.jwt;
    this.verification = { key, algorithm, issuer, audience };
    this.jwt = new JwtService({
      secret: key,
      signOptions: { algorithm, issuer, audience },
      verifyOptions: { algorithms: [algorithm], issuer, audience },
    });
  }

  /** An access token for a session; `expiresIn` in seconds. */
  issueAccessToken(subject: AccessTokenSubject): { token: string; expiresIn: number } {
    const expiresIn = this.config.jwt.accessTtlSeconds;
    const token = this.jwt.sign(
      { username: subject.username, role: subject.role, sid: subject.sessionId, type: 'access' },
      { subject: subject.userId, jwtid: randomUUID(), expiresIn },
    );
    return { token, expiresIn };
  }

  /**
   * A service token (role `service`, subject `service:<name>`, no session): accepted on signature and
   * expiry alone; revoked only by rotating JWT_SECRET_KEY or letting it expire.
   */
  issueServiceToken(name: string, days: number): string {
    if (!SERVICE_NAME_PATTERN.test(name)) {
      throw new Error(
        'Service name must be 2-63 characters of a-z, 0-9 and "-", starting with a letter.',
      );
    }
    if (!Number.isInteger(days) || days < 1 || days > MAX_SERVICE_TOKEN_DAYS) {
      throw new Error(`Days must be a whole number from 1 to ${MAX_SERVICE_TOKEN_DAYS}.`);
    }
    return this.jwt.sign(
      { username: name, role: 'service', type: 'access' },
      { subject: `service:${name}`, jwtid: randomUUID(), expiresIn: days * 86400 },
    );
  }

  /** Verified access claims, or `InvalidTokenError`. */
  verifyAccessToken(token: string): AccessClaims {
    let payload: unknown;
    try {
      payload = this.jwt.verify(token);
    } catch {
      throw new InvalidTokenError();
    }
    if (!isAccessClaims(payload)) throw new InvalidTokenError();
    return payload;
  }
}

/** The claims an access token must carry (after its signature, algorithm, issuer, audience, expiry). */
export function isAccessClaims(p: unknown): p is AccessClaims {
  if (typeof p !== 'object' || p === null) return false;
  const c = p as Record<string, unknown>;
  if (c.type !== 'access') return false;
  if (typeof c.sub !== 'string' || typeof c.username !== 'string' || typeof c.jti !== 'string')
    return false;
  if (!ROLES.includes(c.role as Role)) return false;
  if (c.role === 'service') return c.sid === undefined && c.sub.startsWith('service:');
  return typeof c.sid === 'string';
}
