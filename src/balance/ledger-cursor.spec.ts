import { ulid } from 'ulid';
import { InvalidCursorError } from './domain/balance.errors';
import { LedgerCursorCodec } from './ledger-cursor';

describe('LedgerCursorCodec', () => {
  const codec = new LedgerCursorCodec('a-signing-secret-of-enough-length');
  const txId = ulid();

  it('round-trips a position for the same user', () => {
    const cursor = codec.encode('user-1', txId);
    expect(cursor).not.toContain(txId);
    expect(codec.decode('user-1', cursor)).toBe(txId);
  });

  it("rejects another user's cursor", () => {
    const cursor = codec.encode('user-1', txId);
    expect(() => codec.decode('user-2', cursor)).toThrow(InvalidCursorError);
  });

  it('rejects a cursor signed with another secret', () => {
    const other = new LedgerCursorCodec('another-signing-secret-of-length');
    expect(() => codec.decode('user-1', other.encode('user-1', txId))).toThrow(InvalidCursorError);
  });

  it('rejects a cursor whose position was changed', () => {
    const [, mac] = codec.encode('user-1', txId).split('.');
    const forged = `${Buffer.from(`v1:${ulid()}`).toString('base64url')}.${mac}`;
    expect(() => codec.decode('user-1', forged)).toThrow(InvalidCursorError);
  });

  it.each(['', 'abc', 'a.b', 'a.b.c', '....', `${txId}`, 'djE6.AAAA', '\u0000.\u0000'])(
    'rejects garbage %p with a 422 naming cursor',
    (cursor) => {
      try {
        codec.decode('user-1', cursor);
        throw new Error('accepted');
      } catch (err) {
        expect(err).toBeInstanceOf(InvalidCursorError);
        expect((err as InvalidCursorError).status).toBe(422);
        expect((err as InvalidCursorError).errors).toEqual([
          { field: 'cursor', message: expect.any(String) },
        ]);
      }
    },
  );
});
