import { ApiProperty } from '@nestjs/swagger';
import { BalanceResponse, TransactionResponse } from '../../dto/balance.responses';

/** Body of every order-integration answer: the transaction and the balance after it. */
export class OrderResponse {
  @ApiProperty({ type: TransactionResponse }) transaction!: TransactionResponse;
  @ApiProperty({ type: BalanceResponse }) balance!: BalanceResponse;
}

export class ReleaseExpiredResponse {
  @ApiProperty({ example: 3, description: 'Expired holds looked at in this call.' })
  examined!: number;
  @ApiProperty({ example: 3, description: 'Holds released (the others were resolved meanwhile).' })
  released!: number;
}
