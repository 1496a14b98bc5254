import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AdminModule } from './admin/admin.module';
import { AppController } from './app.controller';
import { AuthModule } from './auth/auth.module';
import { BalanceModule } from './balance/balance.module';
import { JwtAuthGuard } from './common/guards/jwt-auth.guard';
import { OwnershipGuard } from './common/guards/ownership.guard';
import { RolesGuard } from './common/guards/roles.guard';
import { Clock, CLOCK } from './common/clock';
import { UnexpectedBodyGuard } from './common/http/unexpected-body.guard';
import { LOGGER, Logger } from './common/logging/logger';
import { ClientRateLimitGuard, RateLimitModule, UserRateLimitGuard } from './common/rate-limit';
import { AppConfig, ConfigModule } from './config';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { MailDispatchModule, MailModule } from './mail/mail.module';
import { MetricsModule } from './metrics/metrics.module';
import { PortfolioModule } from './portfolio/portfolio.module';
import { UsersModule } from './users/users.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, logger: Logger, clock: Clock): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        RuntimeModule.forRoot(logger, clock),
        MetricsModule,
        DatabaseModule,
        RateLimitModule,
        MailModule,
        MailDispatchModule,
        HealthModule,
        AuthModule,
        UsersModule,
        BalanceModule,
        PortfolioModule,
        AdminModule,
      ],
      controllers: [AppController],
      // Global guards run in this order: per-IP limits, authentication, ownership, roles, per-user
      // limits, no body where the route takes none.
      providers: [
        { provide: APP_GUARD, useClass: ClientRateLimitGuard },
        { provide: APP_GUARD, useClass: JwtAuthGuard },
        { provide: APP_GUARD, useClass: OwnershipGuard },
        { provide: APP_GUARD, useClass: RolesGuard },
        { provide: APP_GUARD, useClass: UserRateLimitGuard },
        { provide: APP_GUARD, useClass: UnexpectedBodyGuard },
      ],
    };
  }
}

/** Process-wide providers every module may inject: the logger and the clock. */
@Module({})
class RuntimeModule {
  static forRoot(logger: Logger, clock: Clock): DynamicModule {
    return {
      module: RuntimeModule,
      global: true,
      providers: [
        { provide: LOGGER, useValue: logger },
        { provide: Clock, useValue: clock },
        // The same time as a plain function, for adapters that take `@Inject(CLOCK) nowMs`.
        { provide: CLOCK, useValue: () => clock.now() },
      ],
      exports: [LOGGER, Clock, CLOCK],
    };
  }
}
