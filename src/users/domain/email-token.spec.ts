import { newEmailToken, parseEmailToken, tokenMatches } from './email-token';

describe('tokenMatches', () => {
  const userId = '0b6a1b1e-2f4c-4d7a-9b1e-3c5d7f9a1b2c';
  const now = new Date('2026-05-04T10:00:00.000Z');
  const { token, record } = newEmailToken(userId, 'verify', 'jane@example.com', now);
  const hash = parseEmailToken(token)!.hash;

  it('accepts the stored token until its expiry second, not at it', () => {
    expect(tokenMatches(record, hash, now.getTime())).toBe(true);
    expect(tokenMatches(record, hash, (record.expiresAt - 1) * 1000)).toBe(true);
    expect(tokenMatches(record, hash, record.expiresAt * 1000)).toBe(false);
  });

  it('refuses when nothing is stored, another hash, or a hash of another length (no throw)', () => {
    expect(tokenMatches(null, hash, now.getTime())).toBe(false);
    expect(
      tokenMatches(
        record,
        hash.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')),
        0,
      ),
    ).toBe(false);
    expect(tokenMatches(record, hash.slice(1), now.getTime())).toBe(false);
  });
});
