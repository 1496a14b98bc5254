import { Injectable } from '@nestjs/common';
import { MailOutbox } from '../mail/mail-outbox';
import type { ProfileChanges, User } from './domain/user';
import { normalizePhone } from './domain/user-fields';
import type { UpdateProfileDto } from './dto/update-profile.dto';
import { EmailVerificationService } from './email-verification/email-verification.service';
import { UserRepository } from './persistence/user.repository';
import { UserNotFoundError } from './users.errors';

/** Reads and changes profiles; the caller's right to do so was checked by the ownership guard. */
@Injectable()
export class UsersService {
  constructor(
    private readonly users: UserRepository,
    private readonly verification: EmailVerificationService,
    private readonly outbox: MailOutbox,
  ) {}

  async getProfile(userId: string): Promise<User> {
    const user = await this.users.findById(userId);
    if (!user) throw new UserNotFoundError();
    return user;
  }

  async updateProfile(userId: string, dto: UpdateProfileDto, now = new Date()): Promise<User> {
    const current = await this.getProfile(userId);
    const changes = toProfileChanges(dto);
    if (Object.keys(changes).length === 0) return current;
    const emailChange = changes.email !== undefined && changes.email !== current.email;
    // A new address: unverified, a link to it and a notice to the old one, in the same transaction.
    const writes = emailChange
      ? this.verification.emailChangeWrites(current, changes.email as string, now)
      : undefined;
    const updated = await this.users.updateProfile(current, changes, now.toISOString(), writes);
    if (writes) this.outbox.written();
    return updated;
  }
}

/** DTO (validated) to domain change; `null` clears, absent keeps. */
export function toProfileChanges(dto: UpdateProfileDto): ProfileChanges {
  const changes: ProfileChanges = {};
  if (dto.first_name !== undefined) changes.firstName = dto.first_name;
  if (dto.last_name !== undefined) changes.lastName = dto.last_name;
  if (dto.email !== undefined) changes.email = dto.email;
  if (dto.phone !== undefined)
    changes.phone = dto.phone === null ? null : normalizePhone(dto.phone);
  if (dto.date_of_birth !== undefined) changes.dateOfBirth = dto.date_of_birth;
  if (dto.marketing_emails_consent !== undefined) {
    changes.marketingEmailsConsent = dto.marketing_emails_consent === true;
  }
  return changes;
}
