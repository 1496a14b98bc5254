import { Module } from '@nestjs/common';
import { BalanceModule } from '../balance/balance.module';
import { InventoryClient } from './inventory/inventory.client';
import { PriceSource } from './inventory/price-source';
import { PortfolioController } from './portfolio.controller';
import { PortfolioService } from './portfolio.service';

@Module({
  imports: [BalanceModule],
  controllers: [PortfolioController],
  providers: [PortfolioService, { provide: PriceSource, useClass: InventoryClient }],
})
export class PortfolioModule {}
