import { dictionary } from '@zxcvbn-ts/language-common';

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;

/**
 * The common-password list of zxcvbn-ts (`@zxcvbn-ts/language-common`, MIT, ~49,000 entries drawn
 * from leaked-password corpora, lower-case). Compared case-insensitively.
 */
const COMMON_PASSWORDS: ReadonlySet<string> = new Set(dictionary['passwords-common']);

export function commonPasswordCount(): number {
  return COMMON_PASSWORDS.size;
}

/**
 * Unicode NFKC (NIST SP 800-63B 5.1.1.2), so the same password typed on keyboards that compose
 * characters differently is the same password. Applied before checking and before hashing.
 */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

/**
 * OWASP ASVS 4.0.3 V2.1 as SPEC §4 states it: 12–128 characters (Unicode code points), anything
 * allowed, no composition rules, not a common password. Returns a message or null.
 */
export function passwordProblem(raw: string): string | null {
  const password = normalizePassword(raw);
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return `must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (length > PASSWORD_MAX_LENGTH) return `must be at most ${PASSWORD_MAX_LENGTH} characters`;
  if (COMMON_PASSWORDS.has(password.toLowerCase())) {
    return 'is one of the most commonly used passwords; choose another';
  }
  return null;
}
