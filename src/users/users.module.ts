import { Module } from '@nestjs/common';
import { EmailVerificationController } from './email-verification/email-verification.controller';
import { EmailVerificationService } from './email-verification/email-verification.service';
import { AccountPagesController } from './pages/account-pages.controller';
import { AccountRepository } from './persistence/account.repository';
import { DynamoAccountRepository } from './persistence/dynamo-account.repository';
import { DynamoUserRepository } from './persistence/dynamo-user.repository';
import { UserRepository } from './persistence/user.repository';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

@Module({
  controllers: [UsersController, EmailVerificationController, AccountPagesController],
  providers: [
    UsersService,
    EmailVerificationService,
    { provide: UserRepository, useClass: DynamoUserRepository },
    { provide: AccountRepository, useClass: DynamoAccountRepository },
  ],
  exports: [UsersService, UserRepository, AccountRepository, EmailVerificationService],
})
export class UsersModule {}
