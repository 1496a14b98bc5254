import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '../common/auth/principal';
import { AppError, ValidationFailedError } from '../common/errors';
import { LOGGER, Logger } from '../common/logging/logger';
import type { User, UserStatus } from '../users/domain/user';
import { AccountRepository } from '../users/persistence/account.repository';
import { UserRepository } from '../users/persistence/user.repository';
import { UserNotFoundError } from '../users/users.errors';

/** An admin may not disable their own account (nobody would be left to enable it). */
export class SelfDisableError extends AppError {
  constructor() {
    super(422, 'cannot_disable_self', 'An admin cannot disable their own account.');
  }
}

/**
 * Administration of accounts: exact look-up through the username and e-mail guards (never a scan),
 * disable and enable. Every action is one audit line naming the admin.
 */
@Injectable()
export class AdminService {
  constructor(
    private readonly users: UserRepository,
    private readonly accounts: AccountRepository,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async find(admin: Principal, query: { email?: string; username?: string }): Promise<User> {
    const by = [query.email, query.username].filter((v) => v !== undefined);
    if (by.length !== 1) {
      throw new ValidationFailedError([
        { field: 'email', message: 'give exactly one of email or username' },
      ]);
    }
    const user = await this.users.findByUsernameOrEmail(by[0] as string);
    this.audit(admin, 'lookup', user?.userId ?? null, { found: Boolean(user) });
    if (!user) throw new UserNotFoundError();
    return user;
  }

  async setStatus(
    admin: Principal,
    userId: string,
    status: UserStatus,
    reason: string | null,
  ): Promise<User> {
    if (status === 'disabled' && userId === admin.userId) throw new SelfDisableError();
    const user = await this.accounts.setStatus(userId, status, {
      actorId: admin.userId,
      reason,
      now: new Date().toISOString(),
    });
    this.audit(admin, status === 'disabled' ? 'disable' : 'enable', userId, { reason });
    return user;
  }

  audit(
    admin: Principal,
    action: string,
    userId: string | null,
    details: Record<string, unknown> = {},
  ): void {
    this.logger.info(
      {
        audit: true,
        event: `admin.${action}`,
        admin_id: admin.userId,
        user_id: userId,
        ...details,
      },
      `admin ${action}`,
    );
  }
}
