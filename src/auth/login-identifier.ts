import { createHash } from 'node:crypto';
import { utf8ByteLength } from '../common/validation/max-utf8-bytes.decorator';
import { canonicalEmail, EMAIL_MAX_BYTES } from '../users/domain/email-address';

/** No user has a longer identifier: usernames are ≤ 30 ASCII, e-mails ≤ 254 bytes (canonical). */
export const LOGIN_IDENTIFIER_MAX_BYTES = EMAIL_MAX_BYTES;

/**
 * The forms to look a login identifier up under, most likely first: the canonical e-mail (or the
 * lower-cased username), then, for a non-ASCII address stored before canonical forms existed, its
 * old trimmed lower-case form. An identifier too long to be anyone's becomes one fingerprint
 * (`sha256:<hex>`, which no username or e-mail can equal), so the lookup and the lockout counter
 * still run on a key that fits DynamoDB's limits and the answer is the unknown-user 401.
 */
export function loginLookupForms(identifier: string): string[] {
  const legacy = identifier.trim().toLowerCase();
  const canonical = legacy.includes('@') ? (canonicalEmail(identifier) ?? legacy) : legacy;
  if (utf8ByteLength(canonical) > LOGIN_IDENTIFIER_MAX_BYTES) {
    return [`sha256:${createHash('sha256').update(canonical).digest('hex')}`];
  }
  const legacyFits = utf8ByteLength(legacy) <= LOGIN_IDENTIFIER_MAX_BYTES;
  return legacy !== canonical && legacyFits ? [canonical, legacy] : [canonical];
}
