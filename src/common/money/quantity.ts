/**
 * Asset quantities as integer units of 1e-8 (like satoshis). Requests carry a JSON number or a
 * decimal string with at most 8 places; responses carry decimal strings with the places needed
 * ("0.5", "0.30000001"). Parsed as decimal text, never through floating-point arithmetic.
 */
import { splitDecimal } from '../http/json-number-text';

export const QUANTITY_SCALE = 100_000_000;
export const QUANTITY_DECIMALS = 8;
/** Largest quantity one request may move: 1,000,000 units of an asset. */
export const MAX_QUANTITY_UNITS = 1_000_000 * QUANTITY_SCALE;
/**
 * Largest holding of one asset: 90,000,000 (9e15 units stays an exact JavaScript integer, so
 * DynamoDB numbers read back without loss).
 */
export const MAX_HOLDING_UNITS = 90_000_000 * QUANTITY_SCALE;

export type ParsedQuantity = { ok: true; units: number } | { ok: false; reason: string };

const FORMAT_REASON = 'must be a number or a numeric string with at most 8 decimal places';
const RANGE_REASON = 'must be between 0.00000001 and 1000000';

/**
 * Parses a request quantity into integer units of 1e-8 (0.00000001 to 1,000,000). A JSON number is
 * judged by the text the client sent (see `JsonNumberText`): "0.00000001" is accepted, an exponent
 * form ("1e-8") is refused like any other malformed decimal, as for money.
 */
export function parseQuantity(value: unknown): ParsedQuantity {
  const parts = splitDecimal(value, QUANTITY_DECIMALS, 9);
  if (!parts) return { ok: false, reason: FORMAT_REASON };
  const units = Number(parts.whole) * QUANTITY_SCALE + Number(parts.fraction);
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
