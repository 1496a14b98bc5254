import { DynamicModule, Global, Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { LOGGER, Logger } from '../common/logging/logger';
import { AppConfig, ConfigModule } from '../config';
import { DatabaseModule } from '../database/database.module';
import { MailModule } from '../mail/mail.module';
import { MetricsModule } from '../metrics/metrics.module';

@Global()
@Module({})
class CliLoggerModule {
  static forRoot(logger: Logger): DynamicModule {
    return {
      module: CliLoggerModule,
      providers: [{ provide: LOGGER, useValue: logger }],
      exports: [LOGGER],
    };
  }
}

/** The slice of the application the CLIs need: config, DynamoDB, users and auth (no HTTP). */
@Module({})
export class CliModule {
  static forRoot(config: AppConfig, logger: Logger): DynamicModule {
    return {
      module: CliModule,
      imports: [
        ConfigModule.forRoot(config),
        CliLoggerModule.forRoot(logger),
        MetricsModule,
        DatabaseModule,
        MailModule,
        AuthModule,
      ],
    };
  }
}
