import { registerDecorator, ValidationOptions } from 'class-validator';

/**
 * A class-validator decorator from a check that returns an error message (or null). The message
 * names the field: `"<field> <message>"`.
 */
export function FieldRule(
  name: string,
  check: (value: unknown) => string | null,
  options?: ValidationOptions,
): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name,
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value: unknown) => check(value) === null,
        defaultMessage: (args) =>
          `${args?.property ?? String(propertyName)} ${check(args?.value) ?? 'is invalid'}`,
      },
    });
  };
}

export const stringRule =
  (rule: (value: string) => string | null) =>
  (value: unknown): string | null =>
    typeof value === 'string' ? rule(value) : 'must be a string';
