import { ValidationOptions } from 'class-validator';
import { FieldRule } from '../decorators/field-rule.decorator';

/**
 * DynamoDB's limits on a key attribute, in bytes of UTF-8 (partition key 2,048, sort key 1,024).
 * Every value a client sends that becomes part of a key must fit, prefix included, or the store
 * rejects the request with a ValidationException.
 */
export const DYNAMODB_SORT_KEY_MAX_BYTES = 1024;
export const DYNAMODB_PARTITION_KEY_MAX_BYTES = 2048;

export function utf8ByteLength(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}

/** Null when `value` is at most `max` bytes of UTF-8, else the reason. */
export function utf8BytesProblem(value: string, max: number): string | null {
  return utf8ByteLength(value) > max ? `must be at most ${max} bytes of UTF-8` : null;
}

/**
 * DTO rule: a string of at most `max` bytes of UTF-8 (class-validator's `MaxLength` counts
 * characters, and not even all of them: surrogate pairs and variation selectors are skipped).
 * Non-strings pass here; pair it with `@IsString()` above it. Use it on every field that becomes part
 * of a key (asset ids, order ids, ...), with `max` leaving room for the key's prefix.
 */
export const MaxUtf8Bytes = (max: number, options?: ValidationOptions): PropertyDecorator =>
  FieldRule(
    'maxUtf8Bytes',
    (value) => (typeof value === 'string' ? utf8BytesProblem(value, max) : null),
    options,
  );
