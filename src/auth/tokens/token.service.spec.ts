import { createHmac } from 'node:crypto';
import { InvalidTokenError } from '../auth.errors';
import { UNIT_SECRET, unitConfig } from '../testing/unit-kit';
import { isAccessClaims, MAX_SERVICE_TOKEN_DAYS, TokenService } from './token.service';

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

function sign(header: object, payload: object, secret = UNIT_SECRET, hmac = 'sha256'): string {
  const body = `${b64(header)}.${b64(payload)}`;
  return `${body}.${createHmac(hmac, secret).update(body).digest('base64url')}`;
}

describe('TokenService', () => {
  const config = unitConfig();
  const tokens = new TokenService(config);
  const subject = {
    userId: 'u-1',
    username: 'jane_doe',
    role: 'customer' as const,
    sessionId: 'S1',
  };
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    sub: 'u-1',
    username: 'jane_doe',
    role: 'customer',
    sid: 'S1',
    jti: 'j',
    type: 'access',
    iat: now,
    exp: now + 600,
    iss: config.jwt.issuer,
    aud: config.jwt.audience,
  };

  it('issues access tokens with the SPEC claims and verifies them', () => {
    const { token, expiresIn } = tokens.issueAccessToken(subject);
    expect(expiresIn).toBe(1800);
    const verified = tokens.verifyAccessToken(token);
    expect(verified).toMatchObject({
      sub: 'u-1',
      username: 'jane_doe',
      role: 'customer',
      sid: 'S1',
      type: 'access',
    });
    expect(verified).toHaveProperty('jti');
    expect(verified.exp - verified.iat).toBe(1800);
  });

  it('accepts a hand-made token with the right key and claims (control for the cases below)', () => {
    expect(tokens.verifyAccessToken(sign({ alg: 'HS256', typ: 'JWT' }, claims)).sub).toBe('u-1');
  });

  it.each([
    ['alg none', () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`],
    ['another key', () => sign({ alg: 'HS256' }, claims, 'another-secret-0123456789abcdef012345')],
    ['another algorithm (HS512)', () => sign({ alg: 'HS512' }, claims, UNIT_SECRET, 'sha512')],
    ['expired', () => sign({ alg: 'HS256' }, { ...claims, iat: now - 7200, exp: now - 3600 })],
    ['type refresh', () => sign({ alg: 'HS256' }, { ...claims, type: 'refresh' })],
    ['no type', () => sign({ alg: 'HS256' }, { ...claims, type: undefined })],
    ['another issuer', () => sign({ alg: 'HS256' }, { ...claims, iss: 'someone-else' })],
    ['another audience', () => sign({ alg: 'HS256' }, { ...claims, aud: 'someone-else' })],
    ['a user token without a session', () => sign({ alg: 'HS256' }, { ...claims, sid: undefined })],
    ['an unknown role', () => sign({ alg: 'HS256' }, { ...claims, role: 'root' })],
    [
      'a tampered payload',
      () => {
        const [h, , s] = tokens.issueAccessToken(subject).token.split('.');
        return `${h}.${b64({ ...claims, role: 'admin' })}.${s}`;
      },
    ],
    ['garbage', () => 'not-a-jwt'],
  ])('rejects %s', (_name, make) => {
    expect(() => tokens.verifyAccessToken(make())).toThrow(InvalidTokenError);
  });

  it('mints service tokens without a session, for the configured lifetime', () => {
    const verified = tokens.verifyAccessToken(tokens.issueServiceToken('order-service', 30));
    expect(verified).toMatchObject({
      sub: 'service:order-service',
      role: 'service',
      username: 'order-service',
    });
    expect(verified.sid).toBeUndefined();
    expect(verified.exp - verified.iat).toBe(30 * 86400);
  });

  it('refuses bad service names and lifetimes', () => {
    expect(() => tokens.issueServiceToken('Order Service', 30)).toThrow(/name/);
    expect(() => tokens.issueServiceToken('order-service', 0)).toThrow(/Days/);
    expect(() => tokens.issueServiceToken('order-service', 366)).toThrow(/Days/);
  });

  it('only accepts the configured algorithm', () => {
    const hs512 = new TokenService(unitConfig({ JWT_ALGORITHM: 'HS512' }));
    const token = hs512.issueAccessToken(subject).token;
    expect(JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()).alg).toBe('HS512');
    expect(hs512.verifyAccessToken(token).sub).toBe('u-1');
    expect(() => tokens.verifyAccessToken(token)).toThrow(InvalidTokenError);
  });
});

describe('isAccessClaims', () => {
  const user = {
    type: 'access',
    sub: 'u1',
    username: 'jane',
    jti: 'j1',
    role: 'customer',
    sid: 's1',
  };
  const service = {
    type: 'access',
    sub: 'service:orders',
    username: 'orders',
    jti: 'j2',
    role: 'service',
  };

  it('accepts the claims of a user and of a service token', () => {
    expect(isAccessClaims(user)).toBe(true);
    expect(isAccessClaims({ ...user, role: 'admin' })).toBe(true);
    expect(isAccessClaims(service)).toBe(true);
  });

  it.each<[string, unknown]>([
    ['null', null],
    ['undefined', undefined],
    ['a string', 'access'],
    ['another token type', { ...user, type: 'refresh' }],
    ['a non-string subject', { ...user, sub: 1 }],
    ['a non-string username', { ...user, username: null }],
    ['a non-string jti', { ...user, jti: undefined }],
    ['an unknown role', { ...user, role: 'root' }],
    ['a user token without a session', { ...user, sid: undefined }],
    ['a service token with a session', { ...service, sid: 's1' }],
    ['a service token whose subject is not service:*', { ...service, sub: 'u1' }],
  ])('refuses %s', (_label, claims) => {
    expect(isAccessClaims(claims)).toBe(false);
  });
});

describe('TokenService.issueServiceToken', () => {
  it(`issues tokens for 1 to ${MAX_SERVICE_TOKEN_DAYS} days, not more`, () => {
    const tokens = new TokenService(unitConfig());
    expect(typeof tokens.issueServiceToken('orders', MAX_SERVICE_TOKEN_DAYS)).toBe('string');
    expect(() => tokens.issueServiceToken('orders', MAX_SERVICE_TOKEN_DAYS + 1)).toThrow(
      `Days must be a whole number from 1 to ${MAX_SERVICE_TOKEN_DAYS}.`,
    );
  });
});
