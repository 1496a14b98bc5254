import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { ValidateBy, ValidationArguments } from 'class-validator';
import { parseAmount } from './money';

/** A request amount that passed parsing: integer cents. */
export class MoneyAmount {
  constructor(readonly cents: number) {}
}

/** What the transform leaves behind for a value that is not an amount, so validation can say why. */
class InvalidMoneyAmount {
  constructor(readonly reason: string) {}
}

/**
 * DTO property decorator: accepts a JSON number or numeric string (≤ 2 decimal places,
 * 0.01–1,000,000), turns it into a `MoneyAmount` and rejects anything else with a message naming the
 * property (the validation pipe makes that a 422 `validation_failed`).
 */
export function IsMoneyAmount(): PropertyDecorator {
  return applyDecorators(
    Transform(({ obj, key }: { obj: Record<string, unknown>; key: string }) => {
      const parsed = parseAmount(obj[key]);
      return parsed.ok ? new MoneyAmount(parsed.cents) : new InvalidMoneyAmount(parsed.reason);
    }),
    ValidateBy({
      name: 'isMoneyAmount',
      validator: {
        validate: (value: unknown) => value instanceof MoneyAmount,
        defaultMessage: (args?: ValidationArguments) => {
          const value: unknown = args?.value;
          const reason = value instanceof InvalidMoneyAmount ? value.reason : 'is required';
          return `${args?.property ?? 'amount'} ${reason}`;
        },
      },
    }),
  );
}
