import { JsonNumberText } from '../http/json-number-text';
import { formatQuantity, MAX_QUANTITY_UNITS, parseQuantity } from './quantity';

describe('asset quantities', () => {
  it.each([
    ['0.5', 50_000_000],
    ['1', 100_000_000],
    ['0.00000001', 1],
    ['1000000', MAX_QUANTITY_UNITS],
    [0.3, 30_000_000],
    [2, 200_000_000],
    ['12.34567891', 1_234_567_891],
    // A JSON number is read from its source text: the body parser hands over "0.00000001" as
    // JsonNumberText because Number() would turn it into 1e-8.
    [new JsonNumberText('0.00000001'), 1],
    [new JsonNumberText('0.00000050'), 50],
    [new JsonNumberText('0.30'), 30_000_000],
  ])('parses %p exactly into %p units', (input, units) => {
    expect(parseQuantity(input)).toEqual({ ok: true, units });
  });

  it.each([
    ['0.000000001', 'decimal'],
    ['1e2', 'decimal'],
    [1e-9, 'decimal'],
    [1e-8, 'decimal'], // a client that wrote the exponent form
    [new JsonNumberText('1e-8'), 'decimal'],
    [new JsonNumberText('0.000000015'), 'decimal'],
    [1.5e-8, 'decimal'],
    [-1e-8, 'decimal'],
    ['-1', 'decimal'],
    ['', 'decimal'],
    [' 1', 'decimal'],
    [true, 'decimal'],
    [null, 'decimal'],
    [[1], 'decimal'],
    [Number.NaN, 'decimal'],
    ['0', 'between'],
    ['0.00000000', 'between'],
    ['1000000.00000001', 'between'],
  ])('rejects %p (%s)', (input, reason) => {
    const parsed = parseQuantity(input);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.reason).toContain(reason);
  });

  it.each([
    [50_000_000, '0.5'],
    [100_000_000, '1'],
    [1, '0.00000001'],
    [-30_000_001, '-0.30000001'],
    [0, '0'],
    [1_234_567_891, '12.34567891'],
  ])('formats %p units as %p', (units, text) => {
    expect(formatQuantity(units)).toBe(text);
  });

  it('refuses to format a non-integer', () => {
    expect(() => formatQuantity(0.5)).toThrow(new RangeError('not an integer quantity: 0.5'));
  });
});
