/**
 * A JSON number from a request body whose source text does not survive `Number()` unchanged
 * (`String(Number(source)) !== source`): "1.50", "1e2", "-0", "1.999999999999999999",
 * "12345678901234567890". The JSON body parser delivers such a number as this object instead of a
 * silently rounded JS number, so:
 *
 * - exact-decimal fields (money, asset quantities) read the digits the client sent, through
 *   `decimalSource()` and `splitDecimal()` below, exactly as if a numeric string had been sent;
 * - every other validator (`IsInt`, `IsNumber`, `IsString`, `IsBoolean`, ...) sees an object, not a
 *   number, and fails with 422 — a rounded value is never used.
 *
 * Numbers that do round-trip ("12", "1.5", "0.01") still arrive as plain JS numbers.
 */
export class JsonNumberText {
  constructor(readonly source: string = '') {}

  toJSON(): string {
    return this.source;
  }
}

/**
 * The decimal text of a request value as the client sent it: a string as is, a `JsonNumberText`'s
 * source, a finite JS number's shortest form; `undefined` for anything else.
 */
export function decimalSource(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value instanceof JsonNumberText) return value.source;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

export interface DecimalParts {
  /** Integer digits as sent (may have leading zeros). */
  whole: string;
  /** Fraction digits right-padded with zeros to exactly `maxPlaces`. */
  fraction: string;
}

/**
 * Splits a request value (see `decimalSource`) into its digits when it is a plain non-negative
 * decimal (`^\d+(\.\d+)?$`: no sign, no exponent, no spaces) with at most `maxPlaces` decimals and
 * `maxWholeDigits` integer digits; `undefined` otherwise. Money uses (2, 15) and builds cents from
 * `whole + fraction`; an 8-place asset quantity would use (8, n) and `BigInt(whole + fraction)`.
 */
export function splitDecimal(
  value: unknown,
  maxPlaces: number,
  maxWholeDigits: number,
): DecimalParts | undefined {
  const text = decimalSource(value);
  const match = text === undefined ? null : /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return undefined;
  const [, whole, fraction = ''] = match;
  if (whole.length > maxWholeDigits || fraction.length > maxPlaces) return undefined;
  return { whole, fraction: fraction.padEnd(maxPlaces, '0') };
}
