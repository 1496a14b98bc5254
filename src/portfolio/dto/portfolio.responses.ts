import { ApiProperty } from '@nestjs/swagger';

const MONEY = { type: String, pattern: '^\\d+\\.\\d{2}$' };
const NULLABLE_MONEY = { ...MONEY, nullable: true };
const PERCENT = { type: String, pattern: '^\\d+\\.\\d{2}$', example: '97.05' };

export class PortfolioAssetResponse {
  @ApiProperty({ example: 'BTC' }) asset_id!: string;
  @ApiProperty({ type: String, example: '0.5', description: 'Exact decimal, up to 8 places.' })
  quantity!: string;
  @ApiProperty({
    ...NULLABLE_MONEY,
    example: '50000.00',
    description: 'USD per unit from the inventory service (2 places); null when unavailable.',
  })
  current_price!: string | null;
  @ApiProperty({
    ...NULLABLE_MONEY,
    example: '25000.00',
    description: 'quantity × exact price, rounded half up to cents; null when unpriced.',
  })
  market_value!: string | null;
  @ApiProperty({
    ...PERCENT,
    nullable: true,
    description: 'Share of total_value; null when unpriced.',
  })
  percentage!: string | null;
}

export class PortfolioResponse {
  @ApiProperty({ example: '7f0c2a8e-2f43-4f8e-9d51-0c1f7a3b9e12' }) user_id!: string;
  @ApiProperty({ enum: ['USD'] }) currency!: 'USD';
  @ApiProperty({
    ...MONEY,
    example: '760.00',
    description: 'current_balance (held money included).',
  })
  cash_balance!: string;
  @ApiProperty({ ...MONEY, example: '760.00' }) available_balance!: string;
  @ApiProperty({ ...MONEY, example: '0.00' }) held_balance!: string;
  @ApiProperty({
    ...PERCENT,
    example: '2.95',
    description: 'Share of total_value held as cash; with the assets it adds up to 100.00.',
  })
  cash_percentage!: string;
  @ApiProperty({ type: [PortfolioAssetResponse], description: 'Holdings above zero, by asset id.' })
  assets!: PortfolioAssetResponse[];
  @ApiProperty({ ...MONEY, example: '25000.00', description: 'Σ market values of priced assets.' })
  total_asset_value!: string;
  @ApiProperty({ ...MONEY, example: '25760.00', description: 'cash_balance + total_asset_value.' })
  total_value!: string;
  @ApiProperty({
    enum: ['ok', 'partial', 'unavailable'],
    description: 'ok: every asset priced (or none held); partial: some; unavailable: none.',
  })
  pricing_status!: 'ok' | 'partial' | 'unavailable';
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the oldest price used was fetched; null when no price was used.',
  })
  priced_at!: string | null;
}

export class HoldingResponse {
  @ApiProperty({ example: '7f0c2a8e-2f43-4f8e-9d51-0c1f7a3b9e12' }) user_id!: string;
  @ApiProperty({ example: 'BTC' }) asset_id!: string;
  @ApiProperty({ type: String, example: '0.5', description: 'Exact decimal, up to 8 places.' })
  quantity!: string;
  @ApiProperty({ type: String, format: 'date-time' }) updated_at!: string;
}
