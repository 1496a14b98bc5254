import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, Length, Matches, ValidateBy } from 'class-validator';
import { parseAmount } from '../common/money/money';
import { toCanonicalEmail } from '../users/dto/field-validators';
import { ProfileDto } from '../users/dto/profile.dto';

const NO_CONTROL_CHARACTERS = /^[^\p{Cc}\p{Cs}\u2028\u2029]*$/u;
const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** Exactly one of `email` or `username` (checked by the service); exact look-ups only. */
export class AdminUserQuery {
  @ApiPropertyOptional({ format: 'email' })
  @IsOptional()
  @Transform(toCanonicalEmail)
  @IsString()
  @Length(3, 254)
  email?: string;

  @ApiPropertyOptional({ example: 'jane_doe' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.trim().toLowerCase() : value,
  )
  @IsString()
  @Matches(/^[a-z0-9_]{6,30}$/, { message: 'username must be 6-30 of [A-Za-z0-9_]' })
  username?: string;
}

export class AdminReasonDto {
  @ApiProperty({ example: 'Chargeback fraud under investigation', maxLength: 500 })
  @Transform(trim)
  @IsString()
  @Length(1, 500)
  @Matches(NO_CONTROL_CHARACTERS, { message: 'reason must not contain control characters' })
  reason!: string;
}

/** A signed amount: "-12.50" debits, "12.50" credits; 0.01–1,000,000 either way. */
export class SignedAmount {
  constructor(readonly cents: number) {}
}

export class AdjustmentDto extends AdminReasonDto {
  @ApiProperty({
    type: 'string',
    oneOf: [
      { type: 'number', example: -12.5 },
      { type: 'string', pattern: '^-?\\d+(\\.\\d{1,2})?$', example: '-12.50' },
    ],
    description: 'Signed USD amount: positive credits, negative debits; 0.01 to 1000000.',
  })
  @Transform(({ obj, key }: { obj: Record<string, unknown>; key: string }) => {
    const raw = obj[key];
    const text = typeof raw === 'number' ? String(raw) : raw;
    if (typeof text !== 'string') return undefined;
    const negative = text.startsWith('-');
    const parsed = parseAmount(negative ? text.slice(1) : text);
    return parsed.ok ? new SignedAmount(negative ? -parsed.cents : parsed.cents) : undefined;
  })
  @ValidateBy({
    name: 'isSignedAmount',
    validator: {
      validate: (value: unknown) => value instanceof SignedAmount,
      defaultMessage: () =>
        'amount must be a signed number or numeric string, 0.01 to 1000000 with at most 2 decimal places',
    },
  })
  amount!: SignedAmount;
}

export class AdminUserDto extends ProfileDto {
  @ApiProperty({ enum: ['active', 'disabled'] }) status!: string;
}

export class AdminStatusDto {
  @ApiProperty({ example: 'User disabled' }) message!: string;
  @ApiProperty({ format: 'uuid' }) user_id!: string;
  @ApiProperty({ enum: ['active', 'disabled'] }) status!: string;
}
