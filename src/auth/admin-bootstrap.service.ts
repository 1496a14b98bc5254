import { Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { ValidationFailedError } from '../common/errors';
import { flattenValidationErrors } from '../common/http/validation.pipe';
import type { User } from '../users/domain/user';
import { UserRepository } from '../users/persistence/user.repository';
import { InvalidCredentialsError } from './auth.errors';
import { RegisterDto } from './dto/register.dto';
import { PasswordHasher } from './password/password-hasher';
import { RegistrationService } from './registration.service';

export interface AdminSpec {
  username: string;
  email: string;
  password: string;
  firstName?: string;
  lastName?: string;
}

export interface AdminBootstrapResult {
  outcome: 'created' | 'promoted' | 'unchanged';
  user: User;
}

/**
 * `npm run user:create-admin`: creates an admin through the same validation and registration path as
 * `POST /auth/register`, or promotes the existing user of that username when the password given is
 * theirs (their password and e-mail stay as they are).
 */
@Injectable()
export class AdminBootstrapService {
  constructor(
    private readonly users: UserRepository,
    private readonly registration: RegistrationService,
    private readonly hasher: PasswordHasher,
  ) {}

  async createOrPromote(spec: AdminSpec): Promise<AdminBootstrapResult> {
    const existing = await this.users.findByUsernameOrEmail(spec.username.trim().toLowerCase());
    if (existing) {
      // Promotion needs the user's own password: knowing a username is not enough.
      if (!(await this.hasher.verify(spec.password, existing.passwordHash))) {
        throw new InvalidCredentialsError();
      }
      if (existing.role === 'admin') return { outcome: 'unchanged', user: existing };
      const user = await this.users.setRole(existing.userId, 'admin', new Date().toISOString());
      return { outcome: 'promoted', user };
    }
    const dto = plainToInstance(RegisterDto, {
      username: spec.username,
      email: spec.email,
      password: spec.password,
      first_name: spec.firstName ?? 'Admin',
      last_name: spec.lastName ?? 'User',
    });
    const errors = await validate(dto, {
      whitelist: true,
      forbidNonWhitelisted: true,
    });
    if (errors.length > 0) throw new ValidationFailedError(flattenValidationErrors(errors));
    return { outcome: 'created', user: await this.registration.register(dto, null, 'admin') };
  }
}
