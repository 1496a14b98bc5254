import { normalizePassword } from './password-policy';

/** E-mail local parts shorter than this are not checked: `jan`, `tom`, `ann` are common words. */
export const CONTEXT_WORD_MIN_LENGTH = 4;

/** What a password must not repeat (OWASP ASVS 4.0.3 V2.1: context-specific words). */
export interface PasswordContext {
  readonly username?: string;
  readonly email?: string;
  /** The current password, at a change (the new one must differ). */
  readonly currentPassword?: string;
}

const fold = (text: string) => normalizePassword(text).toLowerCase();

/** The e-mail's local part, and its part before a `+tag`. */
function localParts(email: string): string[] {
  const local = email.slice(0, Math.max(0, email.lastIndexOf('@')));
  return [local, local.split('+')[0] ?? ''];
}

/**
 * Null when the password does not repeat its context, else why (a message after the field name).
 * Case-insensitive, after the same NFKC normalisation as the policy and the hash.
 */
export function passwordContextProblem(password: string, context: PasswordContext): string | null {
  const folded = fold(password);
  const current = context.currentPassword;
  if (current !== undefined && normalizePassword(current) === normalizePassword(password)) {
    return 'must differ from the current password';
  }
  if (context.username && folded.includes(fold(context.username))) {
    return 'must not contain the username';
  }
  for (const part of context.email ? localParts(context.email) : []) {
    if ([...part].length >= CONTEXT_WORD_MIN_LENGTH && folded.includes(fold(part))) {
      return 'must not contain the part of the e-mail address before the @';
    }
  }
  return null;
}
