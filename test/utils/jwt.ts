import { createHmac } from 'node:crypto';
import { TEST_JWT_SECRET } from './test-app';

/** The claims of a JWT, decoded without verifying it (for assertions on what the service issued). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function jwtClaims(token: string): Record<string, any> {
  const payload = token.split('.')[1];
  if (!payload) throw new Error('not a JWT');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** A JSON value as one base64url JWT segment. */
export function base64urlJson(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A hand-made HMAC-signed JWT: any header (alg, kid, jku…), any claims, any key. */
export function signJwt(
  header: object,
  payload: object,
  key: string | Buffer = TEST_JWT_SECRET,
  hmac = 'sha256',
): string {
  const body = `${base64urlJson(header)}.${base64urlJson(payload)}`;
  return `${body}.${createHmac(hmac, key).update(body).digest('base64url')}`;
}
