import { Injectable } from '@nestjs/common';
import type { ProfileChanges, User } from './domain/user';
import { normalizePhone } from './domain/user-fields';
import type { UpdateProfileDto } from './dto/update-profile.dto';
import { UserRepository } from './persistence/user.repository';
import { UserNotFoundError } from './users.errors';

/** Reads and changes profiles; the caller's right to do so was checked by the ownership guard. */
@Injectable()
export class UsersService {
  constructor(private readonly users: UserRepository) {}

  async getProfile(userId: string): Promise<User> {
    const user = await this.users.findById(userId);
    if (!user) throw new UserNotFoundError();
    return user;
  }

  async updateProfile(userId: string, dto: UpdateProfileDto, now = new Date()): Promise<User> {
    const current = await this.getProfile(userId);
    const changes = toProfileChanges(dto);
    if (Object.keys(changes).length === 0) return current;
    return this.users.updateProfile(current, changes, now.toISOString());
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
