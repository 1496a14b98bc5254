import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { ClientContext } from '../common/decorators/client-context.decorator';
import { ValidationFailedError } from '../common/errors';
import type { User, UserRole } from '../users/domain/user';
import { MailOutbox } from '../mail/mail-outbox';
import { normalizePhone } from '../users/domain/user-fields';
import { EmailVerificationService } from '../users/email-verification/email-verification.service';
import { UserRepository } from '../users/persistence/user.repository';
import { EmailTakenError, UsernameTakenError } from '../users/users.errors';
import { AuthAudit } from './audit/auth-audit';
import type { RegisterDto } from './dto/register.dto';
import { passwordContextProblem } from './password/password-context';
import { PasswordHasher } from './password/password-hasher';
import { passwordProblem } from './password/password-policy';

/**
 * Registration: hashes the password and writes user, username guard, e-mail guard and zero balance
 * in one transaction (the repository); a duplicate username or e-mail writes nothing.
 */
@Injectable()
export class RegistrationService {
  constructor(
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly audit: AuthAudit,
    private readonly verification: EmailVerificationService,
    private readonly outbox: MailOutbox,
  ) {}

  async register(
    input: RegisterDto,
    client: ClientContext | null,
    role: UserRole = 'customer',
    now = new Date(),
  ): Promise<User> {
    const problem =
      passwordProblem(input.password) ??
      passwordContextProblem(input.password, { username: input.username, email: input.email });
    if (problem)
      throw new ValidationFailedError([{ field: 'password', message: `password ${problem}` }]);
    const timestamp = now.toISOString();
    const user: User = {
      userId: randomUUID(),
      username: input.username.toLowerCase(),
      email: input.email,
      passwordHash: await this.hasher.hash(input.password),
      firstName: input.first_name,
      lastName: input.last_name,
      phone: input.phone ? normalizePhone(input.phone) : null,
      dateOfBirth: input.date_of_birth ?? null,
      marketingEmailsConsent: input.marketing_emails_consent === true,
      role,
      status: 'active',
      createdAt: timestamp,
      updatedAt: timestamp,
      credentialVersion: 0,
      emailVerified: false,
      emailVerifiedAt: null,
      passwordChangedAt: null,
      passwordChangedBySession: null,
    };
    try {
      // The verification token and its mail are written in the registration's transaction.
      await this.users.register(user, this.verification.registrationWrites(user, now));
    } catch (err) {
      if (err instanceof UsernameTakenError || err instanceof EmailTakenError) {
        this.audit.record('register', 'conflict', client, { reason: err.code });
      }
      throw err;
    }
    this.outbox.written();
    this.audit.record('register', 'success', client, { userId: user.userId });
    return user;
  }
}
