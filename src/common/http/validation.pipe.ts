import { ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldError, ValidationFailedError } from '../errors';

/** Flattens class-validator's tree into `[{field: "a.b", message}]`. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const error of errors) {
    const field = parent ? `${parent}.${error.property}` : error.property;
    for (const message of Object.values(error.constraints ?? {})) {
      out.push({
        field,
        message: message.replace(/^property (\S+) should not exist$/, 'unknown field $1'),
      });
    }
    if (error.children?.length) out.push(...flattenValidationErrors(error.children, field));
  }
  return out;
}

/** Global pipe: unknown fields rejected, values transformed to DTO types, failures are 422. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    stopAtFirstError: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new ValidationFailedError(flattenValidationErrors(errors)),
  });
}
