/**
 * HS256 access tokens for the baseline, with node:crypto only: the same claims the service signs
 * (SPEC §4), an HMAC over a `createSecretKey` key, and the checks the service makes on verify
 * (algorithm, signature, expiry, issuer, audience, token type).
 */
import { createHmac, createSecretKey, KeyObject, randomUUID, timingSafeEqual } from 'node:crypto';

export const ISSUER = 'user-service';
export const AUDIENCE = 'order-processor';

export interface AccessSubject {
  userId: string;
  username: string;
  role: 'customer' | 'admin';
  sessionId: string;
}

export interface AccessClaims {
  sub: string;
  username: string;
  role: string;
  sid: string;
  type: 'access';
  iat: number;
  exp: number;
  iss: string;
  aud: string;
  jti: string;
}

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

export class Hs256Tokens {
  private readonly key: KeyObject;

  constructor(secret: string) {
    this.key = createSecretKey(Buffer.from(secret, 'utf8'));
  }

  sign(subject: AccessSubject, ttlSeconds: number, nowMs = Date.now()): string {
    const iat = Math.floor(nowMs / 1000);
    const claims = {
      username: subject.username,
      role: subject.role,
      sid: subject.sessionId,
      type: 'access',
      iat,
      exp: iat + ttlSeconds,
      aud: AUDIENCE,
      iss: ISSUER,
      sub: subject.userId,
      jti: randomUUID(),
    };
    const body = `${HEADER}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    return `${body}.${this.mac(body).toString('base64url')}`;
  }

  /** The verified claims, or null for any malformed, forged, expired or foreign token. */
  verify(token: string, nowMs = Date.now()): AccessClaims | null {
    const parts = token.split('.');
    if (parts.length !== 3) return null;
    const [header, payload, signature] = parts;
    const expected = this.mac(`${header}.${payload}`);
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    try {
      const h = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: unknown };
      if (h.alg !== 'HS256') return null;
      const c = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as AccessClaims;
      const valid =
        c.type === 'access' &&
        c.iss === ISSUER &&
        c.aud === AUDIENCE &&
        typeof c.exp === 'number' &&
        c.exp > nowMs / 1000 &&
        typeof c.sub === 'string' &&
        typeof c.sid === 'string' &&
        typeof c.username === 'string';
      return valid ? c : null;
    } catch {
      return null;
    }
  }

  private mac(data: string): Buffer {
    return createHmac('sha256', this.key).update(data).digest();
  }
}
