import { decimalSource, JsonNumberText, splitDecimal } from './json-number-text';

describe('decimalSource', () => {
  it.each<[unknown, string | undefined]>([
    ['1.50', '1.50'],
    [new JsonNumberText('1.50'), '1.50'],
    [1.5, '1.5'],
    [Infinity, undefined],
    [true, undefined],
    [null, undefined],
    [{ source: '1' }, undefined],
  ])('%p → %p', (value, text) => {
    expect(decimalSource(value)).toBe(text);
  });
});

describe('splitDecimal', () => {
  it('pads the fraction to the requested places (8 for asset quantities)', () => {
    expect(splitDecimal(new JsonNumberText('0.10000000'), 8, 12)).toEqual({
      whole: '0',
      fraction: '10000000',
    });
    expect(splitDecimal('12.5', 2, 15)).toEqual({ whole: '12', fraction: '50' });
  });

  it.each<unknown>([
    new JsonNumberText('1e2'),
    new JsonNumberText('1.999999999999999999'),
    new JsonNumberText('-0'),
    '1.123',
    '+1',
    ' 1',
    '1.',
    '.5',
    '1234567890123456',
  ])('refuses %p for 2 places and 15 integer digits', (value) => {
    expect(splitDecimal(value, 2, 15)).toBeUndefined();
  });
});
