import { Inject, Injectable } from '@nestjs/common';
import type { ClientContext } from '../common/decorators/client-context.decorator';
import { LOGGER, Logger } from '../common/logging/logger';
import { APP_CONFIG, AppConfig } from '../config';
import type { User } from '../users/domain/user';
import { UserRepository } from '../users/persistence/user.repository';
import { AuthAudit } from './audit/auth-audit';
import { AccountLockedError, InvalidCredentialsError } from './auth.errors';
import { loginLookupForms } from './login-identifier';
import { LoginAttemptRepository, LockoutPolicy } from './login-attempts/login-attempt.repository';
import { PasswordHasher } from './password/password-hasher';
import { IssuedTokens, SessionService } from './sessions/session.service';

/**
 * Login with a username or an e-mail. Unknown user and wrong password give the same error after the
 * same bcrypt work (dummy hash). Every attempt is counted per account (per identifier when no user
 * matches) before the password is checked; the sixth within the window is refused with 429
 * `account_locked`, whatever the client IP, even with the right password.
 */
@Injectable()
export class LoginService {
  private readonly policy: LockoutPolicy;

  constructor(
    private readonly users: UserRepository,
    private readonly attempts: LoginAttemptRepository,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionService,
    private readonly audit: AuthAudit,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.policy = {
      maxFailures: config.login.maxFailures,
      windowSeconds: config.login.lockoutSeconds,
    };
  }

  async login(identifier: string, password: string, client: ClientContext): Promise<IssuedTokens> {
    const forms = loginLookupForms(identifier);
    const normalized = forms[0];
    let user: User | null = null;
    for (const form of forms) {
      user = await this.users.findByUsernameOrEmail(form);
      if (user) break;
    }
    // One counter per account, whichever of its identifiers is used.
    const lockKey = user ? user.username : normalized;
    const who = { userId: user?.userId ?? null, identifier: user ? undefined : normalized };

    const decision = await this.attempts.registerAttempt(lockKey, Date.now(), this.policy);
    if (!decision.allowed) {
      this.audit.record('login', 'locked', client, { ...who, reason: 'account_locked' });
      throw new AccountLockedError(decision.retryAfterSeconds);
    }

    const matches = user
      ? await this.hasher.verify(password, user.passwordHash)
      : await this.hasher.verifyAgainstDummy(password);
    if (!user || !matches || user.status !== 'active') {
      const reason = !user ? 'unknown_user' : !matches ? 'wrong_password' : 'disabled';
      this.audit.record('login', 'failure', client, { ...who, reason, count: decision.attempt });
      if (decision.attempt >= this.policy.maxFailures) {
        this.audit.record('lockout', 'locked', client, { ...who, count: decision.attempt });
      }
      throw new InvalidCredentialsError();
    }

    await this.attempts.reset(lockKey);
    await this.rehashIfNeeded(user, password);
    // The session records `user.credentialVersion` from the read whose hash was just verified: if a
    // password change commits meanwhile, the session is born with the old version and is rejected.
    const tokens = await this.sessions.start(user, client);
    this.audit.record('login', 'success', client, {
      userId: user.userId,
      sessionId: tokens.sessionId,
    });
    return tokens;
  }

  /** Upgrades a hash made with another BCRYPT_COST, now that the password is known to be right. */
  private async rehashIfNeeded(user: User, password: string): Promise<void> {
    if (!this.hasher.needsRehash(user.passwordHash)) return;
    try {
      await this.users.rehashPassword(
        user.userId,
        user.passwordHash,
        await this.hasher.hash(password),
        new Date().toISOString(),
      );
    } catch (err) {
      this.logger.warn(
        { user_id: user.userId, err: (err as Error).message },
        'password rehash failed',
      );
    }
  }
}
