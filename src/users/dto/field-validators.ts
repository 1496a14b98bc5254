import { FieldRule, stringRule } from '../../common/decorators/field-rule.decorator';
import { dateOfBirthProblem, nameProblem, normalizePhone } from '../domain/user-fields';

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
export const trimLower = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim().toLowerCase() : value;
