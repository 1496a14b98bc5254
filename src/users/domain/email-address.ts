import { domainToASCII } from 'node:url';
import { isEmail } from 'class-validator';
import { utf8ByteLength } from '../../common/validation/max-utf8-bytes.decorator';

/** RFC 5321's 254 octets for a whole address, counted on the canonical form. */
export const EMAIL_MAX_BYTES = 254;

const SCRIPTS = [
  'Latin',
  'Cyrillic',
  'Greek',
  'Armenian',
  'Georgian',
  'Hebrew',
  'Arabic',
  'Devanagari',
  'Bengali',
  'Tamil',
  'Thai',
  'Ethiopic',
  'Han',
  'Hiragana',
  'Katakana',
  'Hangul',
] as const;
const SCRIPT_PATTERNS = SCRIPTS.map((s) => [s, new RegExp(`^\\p{Script=${s}}$`, 'u')] as const);
/** Scripts written together in one language (Japanese, Korean) count as one. */
const EAST_ASIAN = new Set<string>(['Han', 'Hiragana', 'Katakana', 'Hangul']);
const LETTER = /^\p{L}$/u;

function scriptOf(letter: string): string {
  const found = SCRIPT_PATTERNS.find(([, pattern]) => pattern.test(letter));
  if (!found) return 'Other';
  return EAST_ASIAN.has(found[0]) ? 'EastAsian' : found[0];
}

/** True when the letters of `text` come from more than one script (`pаypal` with a Cyrillic а). */
export function mixesScripts(text: string): boolean {
  const scripts = new Set<string>();
  for (const char of text) if (LETTER.test(char)) scripts.add(scriptOf(char));
  return scripts.size > 1;
}

/**
 * The one form of an address that uniqueness and login compare: trimmed, Unicode NFC, local part
 * lower-cased, domain in IDNA ASCII form (punycode, lower-case). `j@münchen.de`, `j@mu\u0308nchen.de`
 * and `J@XN--MNCHEN-3YA.DE` all become `j@xn--mnchen-3ya.de`. Null when there is no usable domain.
 */
export function canonicalEmail(raw: string): string | null {
  const value = raw.trim().normalize('NFC');
  const at = value.lastIndexOf('@');
  if (at <= 0 || at === value.length - 1) return null;
  const domain = domainToASCII(value.slice(at + 1));
  if (!domain) return null;
  return `${value.slice(0, at).toLowerCase().normalize('NFC')}@${domain}`;
}

/** Null when `value` (already canonical, or canonicalisable) is an acceptable address, else why not. */
export function emailProblem(value: string): string | null {
  const canonical = canonicalEmail(value);
  if (!canonical || !isEmail(canonical)) return 'must be a valid e-mail address';
  if (utf8ByteLength(canonical) > EMAIL_MAX_BYTES) {
    return `must be at most ${EMAIL_MAX_BYTES} bytes of UTF-8`;
  }
  if (mixesScripts(canonical.slice(0, canonical.lastIndexOf('@')))) {
    return 'must not mix writing systems (such as Latin and Cyrillic) before the @';
  }
  return null;
}
