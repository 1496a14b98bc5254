import { movementRequestHash, parseIdempotencyKey } from './idempotency';

describe('Idempotency-Key', () => {
  it.each(['a', '!', '~', 'x'.repeat(255), 'order-42:retry#1'])('accepts %j', (key) => {
    expect(parseIdempotencyKey(key)).toBe(key);
  });

  it('is optional', () => {
    expect(parseIdempotencyKey(undefined)).toBeUndefined();
  });

  it.each([
    ['empty', ''],
    ['256 characters', 'x'.repeat(256)],
    ['a space', 'a b'],
    ['a control character', 'a\u0000b'],
    ['non-ASCII', 'clé'],
    ['a repeated header (array)', ['a', 'b']],
    ['a number', 42],
  ])('refuses %s with 422 naming the header', (_label, header) => {
    expect(() => parseIdempotencyKey(header)).toThrow(
      expect.objectContaining({
        status: 422,
        errors: [
          {
            field: 'Idempotency-Key',
            message: 'Idempotency-Key must be 1 to 255 visible ASCII characters',
          },
        ],
      }),
    );
  });

  it('hashes operation, user, amount and description: any difference is another request', () => {
    const base = movementRequestHash('deposit', 'u1', 100, 'x');
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(movementRequestHash('deposit', 'u1', 100, 'x')).toBe(base);
    for (const other of [
      movementRequestHash('withdraw', 'u1', 100, 'x'),
      movementRequestHash('deposit', 'u2', 100, 'x'),
      movementRequestHash('deposit', 'u1', 101, 'x'),
      movementRequestHash('deposit', 'u1', 100, null),
    ]) {
      expect(other).not.toBe(base);
    }
  });
});
