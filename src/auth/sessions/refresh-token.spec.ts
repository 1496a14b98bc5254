import { randomUUID } from 'node:crypto';
import { ulid } from 'ulid';
import {
  formatRefreshToken,
  hashRefreshSecret,
  newRefreshSecret,
  parseRefreshToken,
  sameHash,
} from './refresh-token';

describe('refresh tokens', () => {
  const parts = { userId: randomUUID(), sessionId: ulid(), secret: newRefreshSecret() };

  it('carry 256 random bits and round-trip through format and parse', () => {
    expect(Buffer.from(parts.secret, 'base64url')).toHaveLength(32);
    expect(parseRefreshToken(formatRefreshToken(parts))).toEqual(parts);
  });

  it('reject anything that is not exactly user_id.session_id.secret', () => {
    const token = formatRefreshToken(parts);
    for (const bad of [
      '',
      token + 'x',
      token.replace(/\./g, ':'),
      `a.${token}`,
      'eyJhbGciOi.eyJzdWIi.sig',
    ]) {
      expect(parseRefreshToken(bad)).toBeNull();
    }
  });

  it('store only a hash, compared in constant time', () => {
    const hash = hashRefreshSecret(parts.secret);
    expect(hash).not.toContain(parts.secret);
    expect(sameHash(hash, hashRefreshSecret(parts.secret))).toBe(true);
    expect(sameHash(hash, hashRefreshSecret(newRefreshSecret()))).toBe(false);
    expect(sameHash(hash, 'short')).toBe(false);
  });
});
