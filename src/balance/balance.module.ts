import { Module } from '@nestjs/common';
import { BalanceController } from './balance.controller';
import { BalanceService } from './balance.service';
import { MoneyMovementService } from './money-movement.service';
import { BalanceRepository } from './persistence/balance.repository';
import { DynamoBalanceRepository } from './persistence/dynamo-balance.repository';
import { ReconcileController } from './reconcile/reconcile.controller';
import { ReconcileService } from './reconcile/reconcile.service';

@Module({
  controllers: [BalanceController, ReconcileController],
  providers: [
    { provide: BalanceRepository, useClass: DynamoBalanceRepository },
    BalanceService,
    MoneyMovementService,
    ReconcileService,
  ],
  exports: [BalanceRepository, BalanceService],
})
export class BalanceModule {}
