import { createHmac } from 'node:crypto';
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

  it('encodes as it always has: cursors handed out before a restart or an upgrade stay valid', () => {
    // A fixed vector: the key derivation label, the position encoding and the MAC length are pinned.
    const cursor = 'djE6MDFKQTAwMDAwMDAwMDAwMDAwMDAwMDAwMDA.qknEbn7vIx4jS_wsdGlJkw';
    expect(codec.encode('user-1', '01JA0000000000000000000000')).toBe(cursor);
    expect(codec.decode('user-1', cursor)).toBe('01JA0000000000000000000000');
  });

  it('rejects a cursor whose MAC was shortened or lengthened (422, never a crash)', () => {
    const [position, mac] = codec.encode('user-1', txId).split('.');
    for (const bad of [mac.slice(0, -3), `${mac}AAAA`, 'AA']) {
      expect(() => codec.decode('user-1', `${position}.${bad}`)).toThrow(InvalidCursorError);
    }
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

  describe('a cursor built by hand with a genuine MAC (the documented format)', () => {
    const SECRET = 'a-signing-secret-of-enough-length';
    // v1: key = HMAC-SHA256(secret, "ledger-cursor-key-v1"); MAC = first 16 bytes of
    // HMAC-SHA256(key, "<user id>\n<transaction id>"); cursor = b64url("v1:<id>") "." b64url(MAC).
    const mac = (userId: string, id: string) => {
      const key = createHmac('sha256', SECRET).update('ledger-cursor-key-v1').digest();
      return createHmac('sha256', key).update(`${userId}\n${id}`).digest().subarray(0, 16);
    };
    const build = (position: string, userId: string, id: string) =>
      `${Buffer.from(position).toString('base64url')}.${mac(userId, id).toString('base64url')}`;

    it('decodes', () => {
      expect(codec.decode('user-1', build(`v1:${txId}`, 'user-1', txId))).toBe(txId);
      expect(codec.encode('user-1', txId)).toBe(build(`v1:${txId}`, 'user-1', txId));
    });

    it.each([
      ['another version', (id: string) => build(`v2:${id}`, 'user-1', id)],
      ['a third field', (id: string) => build(`v1:${id}:more`, 'user-1', id)],
      ['a third dot-separated part', (id: string) => `${build(`v1:${id}`, 'user-1', id)}.x`],
      [
        'an id that is not a ULID',
        (id: string) => build(`v1:${id.toLowerCase()}`, 'user-1', id.toLowerCase()),
      ],
      ['an empty id', () => build('v1:', 'user-1', '')],
      ['no position', (id: string) => `.${mac('user-1', id).toString('base64url')}`],
    ])('is refused with %s, even though its MAC is right', (_label, make) => {
      expect(() => codec.decode('user-1', make(txId))).toThrow(InvalidCursorError);
    });
  });
});
