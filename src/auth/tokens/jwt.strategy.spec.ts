import { createHmac } from 'node:crypto';
import passport from 'passport';
import { SessionService } from '../sessions/session.service';
import { buildAuthKit, CLIENT, UNIT_SECRET } from '../testing/unit-kit';
import { JwtAccessTokenAuthenticator } from './jwt-access-token.authenticator';

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
});
