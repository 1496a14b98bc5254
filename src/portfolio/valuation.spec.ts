import {
  formatBasisPoints,
  marketValueCents,
  parsePrice,
  priceCents,
  sharesBasisPoints,
} from './valuation';

describe('portfolio valuation', () => {
  it.each([
    [50000, 5_000_000_000_000n],
    ['50000.12', 5_000_012_000_000n],
    ['0.000000015', 2n],
    ['0.000000014', 1n],
    [0.1, 10_000_000n],
    ['0', 0n],
    [1e12, 100_000_000_000_000_000_000n],
  ])('parses the price %p into %p units of 1e-8 USD', (input, units) => {
    expect(parsePrice(input)).toBe(units);
  });

  it.each([[-1], ['-1'], ['1e3'], ['abc'], [null], [{}], [Number.NaN], [Infinity], [1e13], ['']])(
    'refuses the price %p',
    (input) => {
      expect(parsePrice(input)).toBeNull();
    },
  );

  it('values 0.5 BTC at 50,000.00 as 25,000.00 exactly, and rounds half up to cents', () => {
    expect(marketValueCents(50_000_000, parsePrice('50000')!)).toBe(2_500_000n);
    // 0.1 × 0.125 = 0.0125 USD → 1.25 cents → 1 cent; 0.3 × 0.125 = 0.0375 → 4 cents
    expect(marketValueCents(10_000_000, parsePrice('0.125')!)).toBe(1n);
    expect(marketValueCents(30_000_000, parsePrice('0.125')!)).toBe(4n);
    expect(priceCents(parsePrice('0.125')!)).toBe(13n);
  });

  it('makes shares add up to exactly 100.00', () => {
    const shares = sharesBasisPoints([1n, 1n, 1n]);
    expect(shares.reduce((a, b) => a + b, 0n)).toBe(10_000n);
    expect(shares.map(formatBasisPoints)).toEqual(['33.34', '33.33', '33.33']);
    expect(sharesBasisPoints([76_000n, 2_500_000n]).map(formatBasisPoints)).toEqual([
      '2.95',
      '97.05',
    ]);
    expect(sharesBasisPoints([0n, 0n]).map(formatBasisPoints)).toEqual(['0.00', '0.00']);
  });
});
