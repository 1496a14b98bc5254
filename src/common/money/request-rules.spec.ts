import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { IsMoneyAmount, MoneyAmount } from './money-amount.decorator';
import { AssetQuantity, IsAssetQuantity } from './quantity.decorator';

/** The two request rules on properties named otherwise than their defaults ("amount", "quantity"). */
class PriceDto {
  @IsMoneyAmount()
  price!: MoneyAmount;
}

class SizeDto {
  @IsAssetQuantity()
  size!: AssetQuantity;
}

function validate(cls: new () => object, body: Record<string, unknown>) {
  const dto = plainToInstance(cls, body);
  return { dto: dto as Record<string, unknown>, errors: validateSync(dto) };
}

describe('@IsMoneyAmount and @IsAssetQuantity', () => {
  it.each([
    [PriceDto, 'price', '12.30', new MoneyAmount(1230)],
    [SizeDto, 'size', '0.5', new AssetQuantity(50_000_000)],
    [SizeDto, 'size', 2, new AssetQuantity(200_000_000)],
  ])('%p turns %s = %p into its integer value', (cls, property, value, parsed) => {
    const { dto, errors } = validate(cls, { [property]: value });
    expect(errors).toEqual([]);
    expect(dto[property]).toEqual(parsed);
  });

  it.each([
    [
      PriceDto,
      'price',
      'isMoneyAmount',
      'abc',
      'must be a number or a numeric string with at most 2 decimal places',
    ],
    [PriceDto, 'price', 'isMoneyAmount', '-1', 'must be between 0.01 and 1000000.00'],
    [PriceDto, 'price', 'isMoneyAmount', undefined, 'is required'],
    [
      SizeDto,
      'size',
      'isAssetQuantity',
      'abc',
      'must be a number or a numeric string with at most 8 decimal places',
    ],
    [SizeDto, 'size', 'isAssetQuantity', '0', 'must be between 0.00000001 and 1000000'],
    [SizeDto, 'size', 'isAssetQuantity', undefined, 'is required'],
  ])(
    '%p refuses %s = %p under its own rule name, saying why',
    (cls, property, rule, value, reason) => {
      const { errors } = validate(cls, value === undefined ? {} : { [property]: value });
      expect(errors).toHaveLength(1);
      expect(errors[0].property).toBe(property);
      expect(errors[0].constraints).toEqual({ [rule]: `${property} ${reason}` });
    },
  );
});
