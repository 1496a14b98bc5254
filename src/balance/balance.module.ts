import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module';
import { VerifiedEmailGuard } from '../users/email-verification/verified-email.guard';
import { BalanceSnapshotReader } from './balance-snapshot.reader';
import { BalanceController } from './balance.controller';
import { BalanceService } from './balance.service';
import { MoneyMovementService } from './money-movement.service';
import { BalanceRepository } from './persistence/balance.repository';
import { DynamoBalanceRepository } from './persistence/dynamo-balance.repository';
import { OrderSettlementService } from './orders/order-settlement.service';
import { OrdersController } from './orders/orders.controller';
import { DynamoOrderLedgerRepository } from './persistence/dynamo-order-ledger.repository';
import { OrderLedgerRepository } from './persistence/order-ledger.repository';
import { ReconcileController } from './reconcile/reconcile.controller';
import { ReconcileService } from './reconcile/reconcile.service';

@Module({
  imports: [UsersModule],
  controllers: [BalanceController, OrdersController, ReconcileController],
  providers: [
    { provide: BalanceRepository, useClass: DynamoBalanceRepository },
    { provide: OrderLedgerRepository, useClass: DynamoOrderLedgerRepository },
    OrderSettlementService,
    BalanceService,
    BalanceSnapshotReader,
    MoneyMovementService,
    ReconcileService,
    VerifiedEmailGuard,
  ],
  exports: [BalanceRepository, OrderLedgerRepository, BalanceService, MoneyMovementService],
})
export class BalanceModule {}
