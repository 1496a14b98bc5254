/**
 * Field rules of SPEC §4, shared by registration, profile updates and the admin CLI.
 * Each check returns an error message, or null when the value is acceptable.
 */
export const USERNAME_PATTERN = /^[A-Za-z0-9_]{6,30}$/;
export const EMAIL_MAX_LENGTH = 254;
const NAME_PATTERN = /^[\p{L}\p{M}' -]{1,50}$/u;
const HAS_LETTER = /\p{L}/u;
const PHONE_CHARACTERS = /^\+?[0-9 ().-]+$/;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
export const MIN_AGE_YEARS = 13;
export const MAX_AGE_YEARS = 120;

export function nameProblem(value: string): string | null {
  if (/[<>]/.test(value)) return 'must not contain HTML';
  if (!NAME_PATTERN.test(value) || !HAS_LETTER.test(value)) {
    return "must be 1-50 characters: letters, spaces, apostrophes (') and hyphens (-)";
  }
  return null;
}

/** `+1 (555) 010-9999` → `+15550109999`; null when it is not 10–15 digits of a phone number. */
export function normalizePhone(value: string): string | null {
  const trimmed = value.trim();
  if (!PHONE_CHARACTERS.test(trimmed)) return null;
  const digits = trimmed.replace(/\D/g, '');
  if (digits.length < 10 || digits.length > 15) return null;
  return trimmed.startsWith('+') ? `+${digits}` : digits;
}

/** Whole years between a YYYY-MM-DD birth date and `today` (UTC). */
export function ageOn(birth: { y: number; m: number; d: number }, today: Date): number {
  const y = today.getUTCFullYear();
  const m = today.getUTCMonth() + 1;
  const d = today.getUTCDate();
  return y - birth.y - (m < birth.m || (m === birth.m && d < birth.d) ? 1 : 0);
}

export function dateOfBirthProblem(value: string, today = new Date()): string | null {
  const match = DATE_PATTERN.exec(value);
  if (!match) return 'must be a date in the form YYYY-MM-DD';
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) {
    return 'must be a real calendar date';
  }
  const age = ageOn({ y, m, d }, today);
  if (age < MIN_AGE_YEARS) return `must be at least ${MIN_AGE_YEARS} years ago`;
  if (age > MAX_AGE_YEARS) return `must be at most ${MAX_AGE_YEARS} years ago`;
  return null;
}
