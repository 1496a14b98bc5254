import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { IsMoneyAmount, MoneyAmount } from '../../common/money';

const NO_CONTROL_CHARACTERS = /^[^\p{Cc}\p{Cs}\u2028\u2029]*$/u;

/** Body of a deposit or a withdrawal. */
export class MoneyMovementDto {
  @ApiProperty({
    type: 'string', // replaced by oneOf (keeps the reflected MoneyAmount class out of the schema)
    oneOf: [
      { type: 'number', example: 100.5 },
      { type: 'string', pattern: '^\\d+(\\.\\d{1,2})?$', example: '100.50' },
    ],
    description:
      'USD, 0.01 to 1000000, at most 2 decimal places; a JSON number or a numeric string.',
  })
  @IsMoneyAmount()
  amount!: MoneyAmount;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    maxLength: 255,
    example: 'Monthly savings',
    description: 'Free text, trimmed; no control characters.',
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MaxLength(255)
  @Matches(NO_CONTROL_CHARACTERS, { message: 'description must not contain control characters' })
  description?: string | null;
}
