import { Module } from '@nestjs/common';
import { DynamoUserRepository } from './persistence/dynamo-user.repository';
import { UserRepository } from './persistence/user.repository';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

@Module({
  controllers: [UsersController],
  providers: [UsersService, { provide: UserRepository, useClass: DynamoUserRepository }],
  exports: [UsersService, UserRepository],
})
export class UsersModule {}
