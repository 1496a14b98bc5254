import { Module } from '@nestjs/common';
import { BalanceModule } from '../balance/balance.module';
import { UsersModule } from '../users/users.module';
import { AdminController } from './admin.controller';
import { AdminService } from './admin.service';

@Module({
  imports: [UsersModule, BalanceModule],
  controllers: [AdminController],
  providers: [AdminService],
})
export class AdminModule {}
