import { createHash } from 'node:crypto';
import { ValidationFailedError } from '../../common/errors';
import type { MovementKind } from './ledger';

/** Idempotency records live this long (SPEC: ≥ 24 h). */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

const KEY = /^[\x21-\x7e]{1,255}$/;

/** Validates an `Idempotency-Key` header: 1–255 visible ASCII characters, or absent. */
export function parseIdempotencyKey(header: unknown): string | undefined {
  if (header === undefined) return undefined;
  if (typeof header !== 'string' || !KEY.test(header)) {
    throw new ValidationFailedError([
      {
        field: 'Idempotency-Key',
        message: 'Idempotency-Key must be 1 to 255 visible ASCII characters',
      },
    ]);
  }
  return header;
}

/**
 * Hash identifying "the same request": operation (canonical and compatibility routes are one
 * operation), target user and the canonical body (amount in cents, trimmed description).
 */
export function movementRequestHash(
  kind: MovementKind,
  userId: string,
  amountCents: number,
  description: string | null,
): string {
  return createHash('sha256')
    .update(JSON.stringify([`balance.${kind}`, userId, amountCents, description]))
    .digest('hex');
}
