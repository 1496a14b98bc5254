import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '../../common/auth/principal';
import type { ClientContext } from '../../common/decorators/client-context.decorator';
import { ValidationFailedError } from '../../common/errors';
import { LOGGER, Logger } from '../../common/logging/logger';
import { APP_CONFIG, AppConfig } from '../../config';
import { UserRepository } from '../../users/persistence/user.repository';
import { UserNotFoundError } from '../../users/users.errors';
import { AuthAudit } from '../audit/auth-audit';
import { AccountLockedError, InvalidCurrentPasswordError } from '../auth.errors';
import { LoginAttemptRepository } from '../login-attempts/login-attempt.repository';
import { SessionService } from '../sessions/session.service';
import { passwordContextProblem } from './password-context';
import { PasswordHasher } from './password-hasher';

/**
 * Password change: the current password must match (guesses count against the same per-account
 * lockout as logins), then ONE transaction stores the new hash, bumps the user's
 * `credential_version` (only if it is still the version read here, whose hash was verified) and
 * moves the caller's own session to the new version. From that write on, every other session
 * (including one whose login verified the old hash but is created later: it carries the old version)
 * is rejected by the access-token check and by refresh (`credentialsChanged`); no clocks are
 * compared. Deleting the other Session items afterwards is best-effort clean-up: if it fails, the
 * change still succeeds and the failure is logged.
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
    @Inject(LOGGER) private readonly logger: Logger,
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
    const problem = passwordContextProblem(newPassword, {
      username: user.username,
      email: user.email,
      currentPassword,
    });
    if (problem) {
      throw new ValidationFailedError([
        { field: 'new_password', message: `new_password ${problem}` },
      ]);
    }
    const passwordHash = await this.hasher.hash(newPassword);
    // The caller's own session survives; when an admin changes someone else's password, none does.
    const keep = caller.userId === userId ? (caller.sessionId ?? null) : null;
    await this.users.changePassword(
      userId,
      user.credentialVersion,
      passwordHash,
      new Date().toISOString(),
      keep,
    );
    let revoked = 0;
    let reason: string | undefined;
    try {
      revoked = await this.sessions.revokeAllExcept(userId, keep ?? undefined);
    } catch (err) {
      // The other sessions are already dead by `credential_version`; only their items remain.
      reason = 'session_cleanup_failed';
      this.logger.warn(
        { user_id: userId, err: (err as Error).message },
        'session clean-up after a password change failed; those sessions are already rejected',
      );
    }
    this.audit.record('password_change', 'success', client, {
      userId,
      sessionId: keep,
      count: revoked,
      reason,
    });
    return revoked;
  }
}
