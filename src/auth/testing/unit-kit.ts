import { Test } from '@nestjs/testing';
import type { ClientContext } from '../../common/decorators/client-context.decorator';
import { createLogger, LOGGER } from '../../common/logging/logger';
import { APP_CONFIG, AppConfig, loadConfig } from '../../config';
import { MailOutbox } from '../../mail/mail-outbox';
import type { User } from '../../users/domain/user';
import { EmailVerificationService } from '../../users/email-verification/email-verification.service';
import { AccountRepository } from '../../users/persistence/account.repository';
import { InMemoryAccountRepository } from '../../users/persistence/account.repository.fake';
import { UserRepository } from '../../users/persistence/user.repository';
import { InMemoryUserRepository } from '../../users/persistence/user.repository.fake';
import { AuthAudit, AuthEvent, AuthEventDetails, AuthResult } from '../audit/auth-audit';
import { LoginAttemptRepository } from '../login-attempts/login-attempt.repository';
import { InMemoryLoginAttemptRepository } from '../login-attempts/login-attempt.repository.fake';
import { LoginService } from '../login.service';
import { PasswordChangeService } from '../password/password-change.service';
import { PasswordResetService } from '../password-reset/password-reset.service';
import { PasswordHasher } from '../password/password-hasher';
import { RegistrationService } from '../registration.service';
import { SessionRepository } from '../sessions/session.repository';
import { InMemorySessionRepository } from '../sessions/session.repository.fake';
import { SessionService } from '../sessions/session.service';
import { JwtAccessTokenAuthenticator } from '../tokens/jwt-access-token.authenticator';
import { TokenService } from '../tokens/token.service';

export const UNIT_SECRET = 'unit-test-secret-0123456789abcdef0123456789';

/** A valid configuration for unit tests (bcrypt cost 4, no database). */
export function unitConfig(env: Record<string, string> = {}): AppConfig {
  return loadConfig({
    NODE_ENV: 'test',
    DYNAMODB_ENDPOINT: 'http://127.0.0.1:1',
    JWT_SECRET_KEY: UNIT_SECRET,
    BCRYPT_COST: '4',
    ...env,
  });
}

export const CLIENT: ClientContext = {
  ip: '203.0.113.9',
  userAgent: 'unit-test',
  requestId: 'req-1',
};

/** Records audit events instead of logging them: every argument, so tests can pin the whole record. */
export class AuditRecorder {
  readonly events: ({
    event: AuthEvent;
    result: AuthResult;
    client: ClientContext | null;
  } & AuthEventDetails)[] = [];
  record(
    event: AuthEvent,
    result: AuthResult,
    client: ClientContext | null,
    details: AuthEventDetails = {},
  ): void {
    this.events.push({ event, result, client, ...details });
  }
  has(event: AuthEvent, result: AuthResult): boolean {
    return this.events.some((e) => e.event === event && e.result === result);
  }
  /** The records (of `event` only, when given) without the client (the same CLIENT in every unit test), in order. */
  records(event?: AuthEvent): ({ event: AuthEvent; result: AuthResult } & AuthEventDetails)[] {
    return this.events
      .filter((e) => event === undefined || e.event === event)
      .map(({ client: _client, ...rest }) => rest);
  }
}

/** The auth services wired by Nest with in-memory fakes of every port. */
export async function buildAuthKit(env: Record<string, string> = {}) {
  const config = unitConfig(env);
  const users = new InMemoryUserRepository();
  const sessions = new InMemorySessionRepository(users);
  const attempts = new InMemoryLoginAttemptRepository();
  const accounts = new InMemoryAccountRepository(users, attempts);
  const audit = new AuditRecorder();
  const module = await Test.createTestingModule({
    providers: [
      TokenService,
      PasswordHasher,
      SessionService,
      LoginService,
      RegistrationService,
      PasswordChangeService,
      JwtAccessTokenAuthenticator,
      EmailVerificationService,
      MailOutbox,
      PasswordResetService,
      // Registration composes its verification writes; the user fake ignores them.
      { provide: AccountRepository, useValue: accounts },
      { provide: APP_CONFIG, useValue: config },
      { provide: LOGGER, useValue: createLogger('silent') },
      { provide: AuthAudit, useValue: audit },
      { provide: UserRepository, useValue: users },
      { provide: SessionRepository, useValue: sessions },
      { provide: LoginAttemptRepository, useValue: attempts },
    ],
  }).compile();
  return {
    config,
    users,
    sessions,
    attempts,
    accounts,
    audit,
    get: module.get.bind(module) as typeof module.get,
    /** Registers a customer directly through the registration service. */
    async register(
      overrides: Partial<{ username: string; email: string; password: string }> = {},
    ): Promise<User> {
      const username = overrides.username ?? `user_${Math.random().toString(36).slice(2, 10)}`;
      return module.get(RegistrationService).register(
        {
          username,
          email: overrides.email ?? `${username}@example.com`,
          password: overrides.password ?? 'a perfectly fine passphrase',
          first_name: 'Unit',
          last_name: 'Test',
        },
        CLIENT,
      );
    },
  };
}
