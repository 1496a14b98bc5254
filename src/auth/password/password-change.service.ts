import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '../../common/auth/principal';
import type { ClientContext } from '../../common/decorators/client-context.decorator';
import { APP_CONFIG, AppConfig } from '../../config';
import { UserRepository } from '../../users/persistence/user.repository';
import { UserNotFoundError } from '../../users/users.errors';
import { AuthAudit } from '../audit/auth-audit';
import { AccountLockedError, InvalidCurrentPasswordError } from '../auth.errors';
import { LoginAttemptRepository } from '../login-attempts/login-attempt.repository';
import { SessionService } from '../sessions/session.service';
import { PasswordHasher } from './password-hasher';

/**
 * Password change: the current password must match (guesses count against the same per-account
 * lockout as logins), then the new hash is stored and every other session of the user is revoked.
 */
@Injectable()
export class PasswordChangeService {
  constructor(
    private readonly users: UserRepository,
    private readonly attempts: LoginAttemptRepository,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionService,
    private readonly audit: AuthAudit,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Returns how many other sessions were revoked. */
  async change(
    caller: Principal,
    userId: string,
    currentPassword: string,
    newPassword: string,
    client: ClientContext,
  ): Promise<number> {
    const user = await this.users.findById(userId);
    if (!user) throw new UserNotFoundError();
    const decision = await this.attempts.registerAttempt(user.username, Date.now(), {
      maxFailures: this.config.login.maxFailures,
      windowSeconds: this.config.login.lockoutSeconds,
    });
    if (!decision.allowed) {
      this.audit.record('password_change', 'locked', client, { userId });
      throw new AccountLockedError(decision.retryAfterSeconds);
    }
    if (!(await this.hasher.verify(currentPassword, user.passwordHash))) {
      this.audit.record('password_change', 'failure', client, {
        userId,
        reason: 'wrong_current_password',
      });
      throw new InvalidCurrentPasswordError();
    }
    await this.attempts.reset(user.username);
    await this.users.updatePasswordHash(
      userId,
      await this.hasher.hash(newPassword),
      new Date().toISOString(),
    );
    const keep = caller.userId === userId ? caller.sessionId : undefined;
    const revoked = await this.sessions.revokeAllExcept(userId, keep);
    this.audit.record('password_change', 'success', client, {
      userId,
      sessionId: keep ?? null,
      count: revoked,
    });
    return revoked;
  }
}
