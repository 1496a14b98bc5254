import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { AssetQuantity, IsAssetQuantity, IsMoneyAmount, MoneyAmount } from '../../../common/money';

/** Order ids and asset ids are ASCII, so their key bytes are bounded by their length. */
export const ORDER_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
export const ASSET_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const DEFAULT_HOLD_SECONDS = 900;
export const MAX_HOLD_SECONDS = 7 * 86400;

/** One JSON type of a field that accepts a number or a string. */
interface Alternative {
  type: 'number' | 'string';
  pattern?: string;
  example: number | string;
}

const MONEY_SCHEMA: { type: 'string'; oneOf: Alternative[] } = {
  type: 'string',
  oneOf: [
    { type: 'number', example: 250 },
    { type: 'string', pattern: '^\\d+(\\.\\d{1,2})?$', example: '250.00' },
  ],
};
const QUANTITY_SCHEMA: { type: 'string'; oneOf: Alternative[]; description: string } = {
  type: 'string',
  oneOf: [
    { type: 'number', example: 0.5 },
    { type: 'string', pattern: '^\\d+(\\.\\d{1,8})?$', example: '0.5' },
  ],
  description:
    '0.00000001 to 1000000, at most 8 decimal places; a JSON number or a decimal string.',
};
const ORDER_ID = {
  type: String,
  pattern: ORDER_ID_PATTERN.source,
  example: 'ord_01JJ5Q4Z8X',
  description: "The order service's id: at most once per user (idempotency key).",
};
const ASSET_ID = { type: String, pattern: ASSET_ID_PATTERN.source, example: 'BTC' };

/** `order_id`: documented, and 1–128 ASCII characters of a safe set (a key part). */
const OrderId = () =>
  applyDecorators(
    ApiProperty(ORDER_ID),
    IsString(),
    Matches(ORDER_ID_PATTERN, { message: 'order_id must be 1-128 of A-Z a-z 0-9 . _ : -' }),
  );

/** `asset_id`: documented, and 1–64 ASCII characters of a safe set (a key part). */
const AssetId = () =>
  applyDecorators(
    ApiProperty(ASSET_ID),
    IsString(),
    Matches(ASSET_ID_PATTERN, { message: 'asset_id must be 1-64 of A-Z a-z 0-9 . _ -' }),
  );

export class CreateHoldDto {
  @ApiProperty({ ...MONEY_SCHEMA, description: 'USD to hold, 0.01 to 1000000.' })
  @IsMoneyAmount()
  amount!: MoneyAmount;

  @OrderId()
  order_id!: string;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_HOLD_SECONDS, default: DEFAULT_HOLD_SECONDS })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_HOLD_SECONDS)
  expires_in_seconds?: number;
}

export class AssetLegDto {
  @AssetId()
  asset_id!: string;

  @ApiProperty(QUANTITY_SCHEMA)
  @IsAssetQuantity()
  quantity!: AssetQuantity;
}

export class CompleteHoldDto {
  @ApiPropertyOptional({
    ...MONEY_SCHEMA,
    description: 'USD actually paid, at most the amount held (default: all of it).',
  })
  @IsOptional()
  @IsMoneyAmount()
  amount?: MoneyAmount;

  @ApiPropertyOptional({
    type: AssetLegDto,
    description: 'The asset bought, credited to holdings.',
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => AssetLegDto)
  asset?: AssetLegDto;
}

export class SellDto {
  @OrderId()
  order_id!: string;

  @AssetId()
  asset_id!: string;

  @ApiProperty(QUANTITY_SCHEMA)
  @IsAssetQuantity()
  quantity!: AssetQuantity;

  @ApiProperty({ ...MONEY_SCHEMA, description: 'USD credited for the sale, 0.01 to 1000000.' })
  @IsMoneyAmount()
  proceeds!: MoneyAmount;
}
