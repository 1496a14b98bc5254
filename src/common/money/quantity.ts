/**
 * Asset quantities as integer units of 1e-8 (like satoshis). Requests carry a JSON number or a
 * decimal string with at most 8 places; responses carry decimal strings with the places needed
 * ("0.5", "0.30000001"). Parsed as decimal text, never through floating-point arithmetic.
 */
export const QUANTITY_SCALE = 100_000_000;
export const QUANTITY_DECIMALS = 8;
/** Largest quantity one request may move: 1,000,000 units of an asset. */
export const MAX_QUANTITY_UNITS = 1_000_000 * QUANTITY_SCALE;
/**
 * Largest holding of one asset: 90,000,000 (9e15 units stays an exact JavaScript integer, so
 * DynamoDB numbers read back without loss).
 */
export const MAX_HOLDING_UNITS = 90_000_000 * QUANTITY_SCALE;

const DECIMAL = /^(\d{1,9})(?:\.(\d{1,8}))?$/;

export type ParsedQuantity = { ok: true; units: number } | { ok: false; reason: string };

const FORMAT_REASON = 'must be a number or a numeric string with at most 8 decimal places';
const RANGE_REASON = 'must be between 0.00000001 and 1000000';

function decimalText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) {
    const text = String(value);
    if (!/e/i.test(text)) return text;
    // Below 1e-6 the shortest form has an exponent ("1e-8"); it has at most 8 places exactly
    // when its 8-place form reads back as the same number.
    const fixed = value.toFixed(QUANTITY_DECIMALS);
    return Math.abs(value) < 1 && Number(fixed) === value ? fixed : undefined;
  }
  return undefined;
}

/** Parses a request quantity into integer units of 1e-8 (0.00000001 to 1,000,000). */
export function parseQuantity(value: unknown): ParsedQuantity {
  const text = decimalText(value);
  const match = text === undefined ? null : DECIMAL.exec(text);
  if (!match) return { ok: false, reason: FORMAT_REASON };
  const units = Number(match[1]) * QUANTITY_SCALE + Number((match[2] ?? '').padEnd(8, '0'));
  if (units < 1 || units > MAX_QUANTITY_UNITS) return { ok: false, reason: RANGE_REASON };
  return { ok: true, units };
}

/** Integer units to the shortest exact decimal string ("0.5", "12", "-0.00000001"). */
export function formatQuantity(units: number): string {
  if (!Number.isSafeInteger(units)) throw new RangeError(`not an integer quantity: ${units}`);
  const digits = String(Math.abs(units)).padStart(QUANTITY_DECIMALS + 1, '0');
  const whole = digits.slice(0, -QUANTITY_DECIMALS);
  const fraction = digits.slice(-QUANTITY_DECIMALS).replace(/0+$/, '');
  const text = fraction ? `${whole}.${fraction}` : whole;
  return units < 0 ? `-${text}` : text;
}
