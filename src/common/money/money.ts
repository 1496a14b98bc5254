/**
 * Money as integer cents. Request amounts (a JSON number or a numeric string, at most two decimal
 * places) are parsed as decimal text, never through floating-point arithmetic; responses carry
 * decimal strings with two places ("12.34").
 */
export const MIN_AMOUNT_CENTS = 1;
export const MAX_AMOUNT_CENTS = 100_000_000;
export const CURRENCY = 'USD';

const DECIMAL = /^(\d{1,15})(?:\.(\d{1,2}))?$/;

export type ParsedAmount = { ok: true; cents: number } | { ok: false; reason: string };

const FORMAT_REASON = 'must be a number or a numeric string with at most 2 decimal places';
const RANGE_REASON = 'must be between 0.01 and 1000000.00';

/** Decimal text of a request value: a finite JSON number's shortest form, or a string as sent. */
function decimalText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) {
    const text = String(value);
    return /e/i.test(text) ? undefined : text;
  }
  return undefined;
}

/** Parses an amount from a request into integer cents (0.01 to 1,000,000.00). */
export function parseAmount(value: unknown): ParsedAmount {
  const text = decimalText(value);
  const match = text === undefined ? null : DECIMAL.exec(text);
  if (!match) {
    // A well-formed negative amount is out of range, not malformed.
    const negative = text !== undefined && DECIMAL.test(text.replace(/^-/, ''));
    return { ok: false, reason: negative ? RANGE_REASON : FORMAT_REASON };
  }
  const cents = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
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
