import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldError, ValidationFailedError } from '../errors';
import { loneSurrogatePaths } from './lone-surrogates';

/**
 * One message per field: the first failing constraint in declaration order (type before range).
 * class-validator runs a property's decorators bottom-up, so that is the LAST failed constraint.
 */
function firstDeclaredMessage(constraints: Record<string, string>): string | undefined {
  const messages = Object.values(constraints);
  return messages[messages.length - 1];
}

/** Flattens class-validator's tree into `[{field: "a.b", message}]`, one entry per field. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const error of errors) {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const message = firstDeclaredMessage(error.constraints ?? {});
    if (message !== undefined) {
      out.push({
        field,
        message: message.replace(/^property (\S+) should not exist$/, 'unknown field $1'),
      });
    }
    if (error.children?.length) out.push(...flattenValidationErrors(error.children, field));
  }
  return out;
}

/**
 * Global pipe: unknown fields rejected, values transformed to DTO types, failures are 422. Before
 * any validator runs, every string of a body, query or path parameter is checked for unpaired UTF-16
 * surrogates (422 naming each field), so no validator or store ever sees text UTF-8 cannot encode.
 */
export class AppValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      transform: true,
      // Every constraint runs; the flattening keeps the first declared failure (see above).
      stopAtFirstError: false,
      validationError: { target: false, value: false },
      exceptionFactory: (errors) => new ValidationFailedError(flattenValidationErrors(errors)),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type !== 'custom') {
      const paths = loneSurrogatePaths(value, metadata.data ?? '').map((p) => p || metadata.type);
      if (paths.length > 0) {
        throw new ValidationFailedError(
          paths.map((field) => ({
            field,
            message: `${field} must not contain unpaired UTF-16 surrogates`,
          })),
        );
      }
    }
    return super.transform(value, metadata);
  }
}

export function createValidationPipe(): ValidationPipe {
  return new AppValidationPipe();
}
