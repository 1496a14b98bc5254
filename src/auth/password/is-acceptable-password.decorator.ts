import { FieldRule, stringRule } from '../../common/decorators/field-rule.decorator';
import { passwordProblem } from './password-policy';

/** The password policy (length in characters, common-password list) as a DTO rule. */
export const IsAcceptablePassword = () =>
  FieldRule('isAcceptablePassword', stringRule(passwordProblem));
