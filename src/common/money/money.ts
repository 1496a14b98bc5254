/**
 * Money as integer cents. Request amounts (a JSON number or a numeric string, at most two decimal
 * places) are parsed as decimal text, never through floating-point arithmetic; responses carry
 * decimal strings with two places ("12.34").
 */
import { decimalSource, splitDecimal } from '../http/json-number-text';

export const MIN_AMOUNT_CENTS = 1;
export const MAX_AMOUNT_CENTS = 100_000_000;
export const CURRENCY = 'USD';

export type ParsedAmount = { ok: true; cents: number } | { ok: false; reason: string };

const FORMAT_REASON = 'must be a number or a numeric string with at most 2 decimal places';
const RANGE_REASON = 'must be between 0.01 and 1000000.00';

/**
 * Parses an amount from a request into integer cents (0.01 to 1,000,000.00). A JSON number is judged
 * by the text the client sent (the body parser hands over a `JsonNumberText` when that text would not
 * survive `Number()`), so "1.50" is accepted and "1e2" or "1.999999999999999999" are refused.
 */
export function parseAmount(value: unknown): ParsedAmount {
  const parts = splitDecimal(value, 2, 15);
  if (!parts) {
    // A well-formed negative amount is out of range, not malformed.
    const text = decimalSource(value);
    const negative =
      text?.startsWith('-') === true && splitDecimal(text.slice(1), 2, 15) !== undefined;
    return { ok: false, reason: negative ? RANGE_REASON : FORMAT_REASON };
  }
  const cents = Number(parts.whole) * 100 + Number(parts.fraction);
  if (cents < MIN_AMOUNT_CENTS || cents > MAX_AMOUNT_CENTS)
    return { ok: false, reason: RANGE_REASON };
  return { ok: true, cents };
}

/** Integer cents to "12.34" ("-12.34" when negative), by string manipulation only. */
export function formatCents(cents: number): string {
  if (!Number.isSafeInteger(cents))
    throw new RangeError(`not an integer number of cents: ${cents}`);
  const digits = String(Math.abs(cents)).padStart(3, '0');
  const text = `${digits.slice(0, -2)}.${digits.slice(-2)}`;
  return cents < 0 ? `-${text}` : text;
}
