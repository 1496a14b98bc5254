import { loginLookupForms, LOGIN_IDENTIFIER_MAX_BYTES } from '../auth/login-identifier';
import {
  DYNAMODB_SORT_KEY_MAX_BYTES,
  utf8ByteLength,
} from '../common/validation/max-utf8-bytes.decorator';
import { EMAIL_MAX_BYTES } from '../users/domain/email-address';
import { ItemKey, keys } from './keys';

/** The longest value each validated client input can have, in bytes (see the DTOs and ids.ts). */
const USER_ID = 'ffffffff-ffff-ffff-ffff-ffffffffffff';
const SESSION_ID = 'Z'.repeat(26);
const LONGEST = {
  username: 'u'.repeat(30),
  email: `${'e'.repeat(EMAIL_MAX_BYTES - 6)}@ex.io`,
  idempotencyKey: '~'.repeat(255),
  loginIdentifier: 'l'.repeat(LOGIN_IDENTIFIER_MAX_BYTES),
};

function fits(key: ItemKey): boolean {
  return (
    utf8ByteLength(key.PK) <= DYNAMODB_SORT_KEY_MAX_BYTES &&
    utf8ByteLength(key.SK) <= DYNAMODB_SORT_KEY_MAX_BYTES
  );
}

describe('key sizes', () => {
  it('every key built from the longest accepted inputs fits DynamoDB key limits', () => {
    expect(fits(keys.usernameGuard(LONGEST.username))).toBe(true);
    expect(fits(keys.emailGuard(LONGEST.email))).toBe(true);
    expect(fits(keys.idempotency(USER_ID, LONGEST.idempotencyKey))).toBe(true);
    expect(fits(keys.session(USER_ID, SESSION_ID))).toBe(true);
    expect(fits(keys.loginFailures(LONGEST.loginIdentifier))).toBe(true);
  });

  it('a login identifier of 254 four-byte characters becomes keys that fit', () => {
    const [form] = loginLookupForms('\u{1F600}'.repeat(254));
    expect(fits(keys.usernameGuard(form!))).toBe(true);
    expect(fits(keys.loginFailures(form!))).toBe(true);
  });
});
