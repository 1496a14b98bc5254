/**
 * Portfolio arithmetic without floating point: prices in units of 1e-8 USD (bigint), quantities in
 * units of 1e-8 of an asset, values in integer cents, rounded half up only when a value is formed.
 */
export const PRICE_SCALE = 100_000_000n;
const MAX_PRICE_UNITS = 1_000_000_000_000n * PRICE_SCALE; // 1e12 USD

const DECIMAL = /^(\d{1,13})(?:\.(\d{1,30}))?$/;

/** Rounds the quotient n / d (both ≥ 0) half up. */
function divideHalfUp(n: bigint, d: bigint): bigint {
  return (n * 2n + d) / (d * 2n);
}

/**
 * An inventory price (`price_usd`): a non-negative JSON number or decimal string, at most 1e12,
 * kept to 8 decimal places (half up). Anything else (negative, NaN, exponents in a string, text,
 * objects) is null: the service treats it as a bad answer.
 */
export function parsePrice(value: unknown): bigint | null {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0 || value > 1e12) return null;
    text = value.toFixed(8);
  } else if (typeof value === 'string') {
    text = value;
  } else {
    return null;
  }
  const match = DECIMAL.exec(text);
  if (!match) return null;
  const fraction = match[2] ?? '';
  const exact = BigInt(match[1] + fraction.padEnd(30, '0')); // units of 1e-30
  const units = divideHalfUp(exact, 10n ** 22n);
  return units <= MAX_PRICE_UNITS ? units : null;
}

/** quantity (1e-8 units) × price (1e-8 USD units) in cents, half up. */
export function marketValueCents(quantityUnits: number, priceUnits: bigint): bigint {
  return divideHalfUp(BigInt(quantityUnits) * priceUnits * 100n, PRICE_SCALE * PRICE_SCALE);
}

/** A price in cents, half up (the response shows money with two places). */
export function priceCents(priceUnits: bigint): bigint {
  return divideHalfUp(priceUnits * 100n, PRICE_SCALE);
}

/**
 * Shares of a total in hundredths of a percent (basis points), by the largest-remainder method so
 * that they add up to exactly 100.00 whenever the total is above zero; all zero otherwise.
 */
export function sharesBasisPoints(parts: readonly bigint[]): bigint[] {
  const total = parts.reduce((a, b) => a + b, 0n);
  if (total <= 0n) return parts.map(() => 0n);
  const exact = parts.map((p) => p * 10_000n);
  const floors = exact.map((e) => e / total);
  let left = 10_000n - floors.reduce((a, b) => a + b, 0n);
  const byRemainder = exact
    .map((e, i) => ({ i, remainder: e % total }))
    .sort((a, b) => (a.remainder === b.remainder ? a.i - b.i : a.remainder > b.remainder ? -1 : 1));
  for (const { i } of byRemainder) {
    if (left <= 0n) break;
    floors[i] += 1n;
    left -= 1n;
  }
  return floors;
}

/** Basis points as "12.34". */
export function formatBasisPoints(bp: bigint): string {
  const digits = bp.toString().padStart(3, '0');
  return `${digits.slice(0, -2)}.${digits.slice(-2)}`;
}
