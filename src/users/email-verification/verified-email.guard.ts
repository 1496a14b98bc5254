import { CanActivate, ExecutionContext, Inject, Injectable, UseGuards } from '@nestjs/common';
import type { AuthenticatedRequest } from '../../common/auth/principal';
import { APP_CONFIG, AppConfig } from '../../config';
import { UserRepository } from '../persistence/user.repository';
import { EmailNotVerifiedError } from '../users.errors';

/**
 * EMAIL_VERIFICATION_REQUIRED: a money movement or hold for a user whose address is unverified is
 * 403 `email_not_verified`. Off (the default) it costs nothing; on, one user read per request.
 * Runs after the global guards, so the target user is resolved and authorized.
 */
@Injectable()
export class VerifiedEmailGuard implements CanActivate {
  constructor(
    private readonly users: UserRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (!this.config.emailVerificationRequired) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const userId = request.targetUserId ?? request.user?.userId;
    if (!userId) return true;
    const user = await this.users.findById(userId);
    // No such user: the handler answers as it always does.
    if (user && !user.emailVerified) throw new EmailNotVerifiedError();
    return true;
  }
}

export const RequiresVerifiedEmail = () => UseGuards(VerifiedEmailGuard);
