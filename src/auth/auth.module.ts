import { Module } from '@nestjs/common';
import { AccessTokenAuthenticator } from '../common/guards/access-token-authenticator';
import { UsersModule } from '../users/users.module';
import { AdminBootstrapService } from './admin-bootstrap.service';
import { AuthAudit } from './audit/auth-audit';
import { AuthController } from './auth.controller';
import { DynamoLoginAttemptRepository } from './login-attempts/dynamo-login-attempt.repository';
import { LoginAttemptRepository } from './login-attempts/login-attempt.repository';
import { LoginService } from './login.service';
import { PasswordChangeService } from './password/password-change.service';
import { PasswordHasher } from './password/password-hasher';
import { PasswordController } from './password/password.controller';
import { PasswordResetController } from './password-reset/password-reset.controller';
import { PasswordResetService } from './password-reset/password-reset.service';
import { RegistrationService } from './registration.service';
import { DynamoSessionRepository } from './sessions/dynamo-session.repository';
import { SessionRepository } from './sessions/session.repository';
import { SessionService } from './sessions/session.service';
import { SessionsController } from './sessions/sessions.controller';
import { JwtAccessTokenAuthenticator } from './tokens/jwt-access-token.authenticator';
import { TokenService } from './tokens/token.service';

@Module({
  imports: [UsersModule],
  controllers: [AuthController, SessionsController, PasswordController, PasswordResetController],
  providers: [
    AuthAudit,
    TokenService,
    PasswordHasher,
    RegistrationService,
    LoginService,
    SessionService,
    PasswordChangeService,
    PasswordResetService,
    AdminBootstrapService,
    { provide: SessionRepository, useClass: DynamoSessionRepository },
    { provide: LoginAttemptRepository, useClass: DynamoLoginAttemptRepository },
    { provide: AccessTokenAuthenticator, useClass: JwtAccessTokenAuthenticator },
  ],
  exports: [AccessTokenAuthenticator, TokenService, AdminBootstrapService],
})
export class AuthModule {}
