import { ApiProperty } from '@nestjs/swagger';
import { TRANSACTION_STATUSES, TRANSACTION_TYPES } from '../domain/ledger';

const MONEY = { type: String, pattern: '^-?\\d+\\.\\d{2}$' };
const TIMESTAMP = { type: String, format: 'date-time', example: '2025-01-31T12:00:00.000Z' };

export class BalanceResponse {
  @ApiProperty({ example: '7f0c2a8e-2f43-4f8e-9d51-0c1f7a3b9e12' }) user_id!: string;
  @ApiProperty({ ...MONEY, example: '1000.00', description: 'Settled balance.' })
  current_balance!: string;
  @ApiProperty({ ...MONEY, example: '900.00', description: 'current_balance − held_balance.' })
  available_balance!: string;
  @ApiProperty({ ...MONEY, example: '100.00', description: 'Held for pending orders.' })
  held_balance!: string;
  @ApiProperty({ enum: ['USD'], example: 'USD' }) currency!: 'USD';
  @ApiProperty(TIMESTAMP) updated_at!: string;
}

export class TransactionAssetResponse {
  @ApiProperty({ example: 'BTC' }) asset_id!: string;
  @ApiProperty({
    type: String,
    example: '0.5',
    description: 'Exact decimal, up to 8 places; negative when sold.',
  })
  quantity!: string;
}

export class TransactionResponse {
  @ApiProperty({ example: '01JJ5Q4Z8X9V3N2M1K0H7G6F5E', description: 'ULID; sorts by time.' })
  transaction_id!: string;
  @ApiProperty({ enum: TRANSACTION_TYPES }) transaction_type!: string;
  @ApiProperty({ ...MONEY, example: '-25.00', description: 'Signed: debits are negative.' })
  amount!: string;
  @ApiProperty({ enum: TRANSACTION_STATUSES }) status!: string;
  @ApiProperty({ type: String, nullable: true, example: 'Savings' }) description!: string | null;
  @ApiProperty({ type: String, nullable: true, example: null }) reference_id!: string | null;
  @ApiProperty({
    ...MONEY,
    example: '975.00',
    description: 'current_balance after this transaction.',
  })
  balance_after!: string;
  @ApiProperty(TIMESTAMP) created_at!: string;
  @ApiProperty(TIMESTAMP) updated_at!: string;
  @ApiProperty({
    type: TransactionAssetResponse,
    nullable: true,
    description: 'Trades: the asset bought or sold; null otherwise.',
  })
  asset!: TransactionAssetResponse | null;
  @ApiProperty({
    ...TIMESTAMP,
    nullable: true,
    description: 'Pending holds: when the hold may be released if not resolved; null otherwise.',
  })
  hold_expires_at!: string | null;
}

export class MovementResponse {
  @ApiProperty({ enum: [true] }) success!: true;
  @ApiProperty({ example: 'Deposit completed.' }) message!: string;
  @ApiProperty({ type: TransactionResponse }) transaction!: TransactionResponse;
  @ApiProperty({ type: BalanceResponse }) balance!: BalanceResponse;
  @ApiProperty({ description: 'Same as transaction.transaction_id (old clients).' })
  transaction_id!: string;
  @ApiProperty({ ...TIMESTAMP, description: 'Same as transaction.created_at (old clients).' })
  timestamp!: string;
}

export class TransactionPageResponse {
  @ApiProperty({ type: [TransactionResponse], description: 'Newest first.' })
  transactions!: TransactionResponse[];
  @ApiProperty({ example: 50, description: 'Number of transactions in this page.' }) count!: number;
  @ApiProperty({ example: 50, description: 'Same as count (old clients).' }) total_count!: number;
  @ApiProperty({ example: true }) has_more!: boolean;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` to get the next (older) page; null on the last page.',
  })
  next_cursor!: string | null;
}
