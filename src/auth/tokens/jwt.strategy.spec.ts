import { createHmac } from 'node:crypto';
import passport from 'passport';
import { Strategy } from 'passport-jwt';
import { SessionService } from '../sessions/session.service';
import { buildAuthKit, CLIENT, UNIT_SECRET } from '../testing/unit-kit';
import { JwtAccessTokenAuthenticator } from './jwt-access-token.authenticator';
import { VerifiedTokens } from './jwt.strategy';
import type { AccessClaims } from './token.service';

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
function sign(header: object, claims: object, secret = UNIT_SECRET, hash = 'sha256'): string {
  const body = `${b64(header)}.${b64(claims)}`;
  return `${body}.${createHmac(hash, secret).update(body).digest('base64url')}`;
}

describe('JwtStrategy (passport-jwt) behind the access-token check', () => {
  it('refuses every forged or misused token with the same 401 invalid_token', async () => {
    const kit = await buildAuthKit();
    const user = await kit.register();
    const tokens = await kit.get(SessionService).start(user, CLIENT);
    const auth = kit.get(JwtAccessTokenAuthenticator);
    const claims = JSON.parse(
      Buffer.from(tokens.accessToken.split('.')[1], 'base64url').toString(),
    ) as Record<string, unknown>;
    const now = Math.floor(Date.now() / 1000);
    await expect(
      auth.authenticate(sign({ alg: 'HS256', typ: 'JWT' }, claims)),
    ).resolves.toMatchObject({
      userId: user.userId,
    });
    const forged: Array<[string, string]> = [
      ['alg none', `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`],
      ['another key', sign({ alg: 'HS256' }, claims, 'another-secret-0123456789abcdef0123')],
      ['HS512 while HS256 is configured', sign({ alg: 'HS512' }, claims, UNIT_SECRET, 'sha512')],
      ['expired', sign({ alg: 'HS256' }, { ...claims, iat: now - 7200, exp: now - 3600 })],
      ['another issuer', sign({ alg: 'HS256' }, { ...claims, iss: 'evil' })],
      ['another audience', sign({ alg: 'HS256' }, { ...claims, aud: 'someone-else' })],
      ['type refresh', sign({ alg: 'HS256' }, { ...claims, type: 'refresh' })],
      ['a refresh token as access token', tokens.refreshToken],
      ['garbage', 'not.a.jwt'],
    ];
    for (const [, token] of forged) {
      await expect(auth.authenticate(token)).rejects.toMatchObject({
        status: 401,
        code: 'invalid_token',
      });
    }
  });

  it('keeps each application’s strategy to itself: two keys in one process, no global registration', async () => {
    const a = await buildAuthKit();
    const b = await buildAuthKit({ JWT_SECRET_KEY: 'a-different-unit-secret-0123456789abcdef' });
    const userA = await a.register();
    const userB = await b.register();
    const tokenA = (await a.get(SessionService).start(userA, CLIENT)).accessToken;
    const tokenB = (await b.get(SessionService).start(userB, CLIENT)).accessToken;
    const authA = a.get(JwtAccessTokenAuthenticator);
    const authB = b.get(JwtAccessTokenAuthenticator);
    await expect(authA.authenticate(tokenA)).resolves.toMatchObject({ userId: userA.userId });
    await expect(authB.authenticate(tokenB)).resolves.toMatchObject({ userId: userB.userId });
    await expect(authA.authenticate(tokenB)).rejects.toMatchObject({ status: 401 });
    await expect(authB.authenticate(tokenA)).rejects.toMatchObject({ status: 401 });
    expect(
      (passport as unknown as { _strategies: Record<string, unknown> })._strategies.jwt,
    ).toBeUndefined();
  });

  describe('a token verified once is not re-verified, but its expiry and session still are', () => {
    /** Counts passport-jwt's signature verifications. */
    function countVerifications() {
      const statics = Strategy as unknown as { JwtVerifier: (...args: unknown[]) => unknown };
      const original = statics.JwtVerifier;
      const calls = { n: 0 };
      statics.JwtVerifier = (...args: unknown[]) => {
        calls.n += 1;
        return original(...args);
      };
      return { calls, restore: () => (statics.JwtVerifier = original) };
    }

    it('verifies the signature on first sight only; a one-character change is verified (and refused)', async () => {
      const kit = await buildAuthKit();
      const user = await kit.register();
      const tokens = await kit.get(SessionService).start(user, CLIENT);
      const auth = kit.get(JwtAccessTokenAuthenticator);
      const spy = countVerifications();
      try {
        await auth.authenticate(tokens.accessToken);
        await auth.authenticate(tokens.accessToken);
        await expect(auth.authenticate(tokens.accessToken)).resolves.toMatchObject({
          userId: user.userId,
        });
        expect(spy.calls.n).toBe(1);
        const last = tokens.accessToken.slice(-1);
        const tampered = tokens.accessToken.slice(0, -1) + (last === 'A' ? 'B' : 'A');
        await expect(auth.authenticate(tampered)).rejects.toMatchObject({ status: 401 });
        expect(spy.calls.n).toBe(2);
      } finally {
        spy.restore();
      }
    });

    it('refuses a remembered token once its session is revoked', async () => {
      const kit = await buildAuthKit();
      const user = await kit.register();
      const sessions = kit.get(SessionService);
      const tokens = await sessions.start(user, CLIENT);
      const auth = kit.get(JwtAccessTokenAuthenticator);
      const principal = await auth.authenticate(tokens.accessToken);
      await sessions.revoke(user.userId, principal.sessionId as string, CLIENT);
      await expect(auth.authenticate(tokens.accessToken)).rejects.toMatchObject({
        status: 401,
        code: 'invalid_token',
      });
    });
  });
});

describe('VerifiedTokens', () => {
  const claims = (exp: number): AccessClaims => ({
    sub: 'u',
    username: 'jane',
    role: 'customer',
    sid: 's',
    jti: 'j',
    iat: exp - 1800,
    exp,
    type: 'access',
  });

  it('forgets a token at its expiry second, as jsonwebtoken refuses it', () => {
    const clock = { now: 1_000_000 };
    const tokens = new VerifiedTokens(10, () => clock.now);
    tokens.remember('t', claims(1_001));
    clock.now = 1_000_999;
    expect(tokens.get('t')).toMatchObject({ exp: 1_001 });
    clock.now = 1_001_000;
    expect(tokens.get('t')).toBeUndefined();
    expect(tokens.size).toBe(0);
  });

  it('holds at most its maximum, forgetting the oldest first; hands out frozen claims', () => {
    const tokens = new VerifiedTokens(2, () => 0);
    tokens.remember('a', claims(10));
    tokens.remember('b', claims(10));
    tokens.remember('c', claims(10));
    expect(tokens.size).toBe(2);
    expect(tokens.get('a')).toBeUndefined();
    expect(tokens.get('c')).toMatchObject({ sub: 'u' });
    expect(Object.isFrozen(tokens.get('b'))).toBe(true);
  });
});
