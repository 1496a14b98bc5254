import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

class MismatchResponse {
  @ApiProperty({
    enum: [
      'balance_missing',
      'current_balance_mismatch',
      'held_balance_mismatch',
      'negative_available_balance',
      'negative_held_balance',
      'pending_credit',
    ],
  })
  code!: string;
  @ApiProperty() detail!: string;
  @ApiPropertyOptional({ example: '10.00' }) expected?: string;
  @ApiPropertyOptional({ example: '9.00' }) actual?: string;
}

class StoredBalanceResponse {
  @ApiProperty({ example: '10.00' }) current_balance!: string;
  @ApiProperty({ example: '0.00' }) held_balance!: string;
  @ApiProperty({ example: '10.00' }) available_balance!: string;
  @ApiProperty({ example: 12 }) version!: number;
}

class ComputedBalanceResponse {
  @ApiProperty({ example: '10.00' }) current_balance!: string;
  @ApiProperty({ example: '0.00' }) held_balance!: string;
}

export class ReconcileReportResponse {
  @ApiProperty() user_id!: string;
  @ApiProperty({ description: 'True when the stored balance equals what the ledger adds up to.' })
  ok!: boolean;
  @ApiProperty({ type: StoredBalanceResponse, nullable: true })
  stored!: StoredBalanceResponse | null;
  @ApiProperty({ type: ComputedBalanceResponse }) computed!: ComputedBalanceResponse;
  @ApiProperty() transaction_count!: number;
  @ApiProperty({ type: [MismatchResponse] }) mismatches!: MismatchResponse[];
}
