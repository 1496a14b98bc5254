import { FieldRule, stringRule } from '../../common/decorators/field-rule.decorator';
import { canonicalEmail, emailProblem } from '../domain/email-address';
import { dateOfBirthProblem, nameProblem, normalizePhone } from '../domain/user-fields';

/** A valid address of at most 254 bytes, one writing system before the @ (see email-address.ts). */
export const IsEmailAddress = () => FieldRule('isEmailAddress', stringRule(emailProblem));

/** Request e-mail to its canonical form (left as sent when it has none; validation says why). */
export const toCanonicalEmail = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? (canonicalEmail(value) ?? value) : value;

/** 1–50 letters, spaces, `'` and `-` (after trimming); HTML rejected. */
export const IsPersonName = () => FieldRule('isPersonName', stringRule(nameProblem));

/** 10–15 digits once punctuation is stripped. */
export const IsPhoneNumber = () =>
  FieldRule(
    'isPhoneNumber',
    stringRule((v) => (normalizePhone(v) ? null : 'must be a phone number with 10-15 digits')),
  );

/** YYYY-MM-DD, a real date, age 13–120. */
export const IsDateOfBirth = () =>
  FieldRule(
    'isDateOfBirth',
    stringRule((v) => dateOfBirthProblem(v)),
  );

export const trim = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim() : value;
