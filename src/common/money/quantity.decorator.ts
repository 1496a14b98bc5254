import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { ValidateBy, ValidationArguments } from 'class-validator';
import { parseQuantity } from './quantity';

/** A request quantity that passed parsing: integer units of 1e-8. */
export class AssetQuantity {
  constructor(readonly units: number) {}
}

class InvalidAssetQuantity {
  constructor(readonly reason: string) {}
}

/**
 * DTO property decorator: a JSON number or decimal string with at most 8 places, 0.00000001 to
 * 1,000,000, becomes an `AssetQuantity`; anything else is a 422 naming the property.
 */
export function IsAssetQuantity(): PropertyDecorator {
  return applyDecorators(
    Transform(({ obj, key }: { obj: Record<string, unknown>; key: string }) => {
      const parsed = parseQuantity(obj[key]);
      return parsed.ok ? new AssetQuantity(parsed.units) : new InvalidAssetQuantity(parsed.reason);
    }),
    ValidateBy({
      name: 'isAssetQuantity',
      validator: {
        validate: (value: unknown) => value instanceof AssetQuantity,
        defaultMessage: (args?: ValidationArguments) => {
          const value: unknown = args?.value;
          const reason = value instanceof InvalidAssetQuantity ? value.reason : 'is required';
          return `${args?.property ?? 'quantity'} ${reason}`;
        },
      },
    }),
  );
}
