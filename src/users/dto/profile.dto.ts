import { ApiProperty } from '@nestjs/swagger';
import type { User } from '../domain/user';

/** A user's profile as every route returns it (never the password hash). */
export class ProfileDto {
  @ApiProperty({ format: 'uuid', example: '7d3f1c9a-6b3e-4f4e-9a51-0c8d1e2f3a4b' })
  user_id!: string;
  @ApiProperty({ example: 'jane_doe' }) username!: string;
  @ApiProperty({ format: 'email', example: 'jane@example.com' }) email!: string;
  @ApiProperty({ example: 'Jane' }) first_name!: string;
  @ApiProperty({ example: 'Doe' }) last_name!: string;
  @ApiProperty({ type: String, nullable: true, example: '+15550109999' }) phone!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date', example: '1990-04-01' })
  date_of_birth!: string | null;
  @ApiProperty({ example: false }) marketing_emails_consent!: boolean;
  @ApiProperty({ example: true }) email_verified!: boolean;
  @ApiProperty({ type: String, nullable: true, format: 'date-time', example: null })
  email_verified_at!: string | null;
  @ApiProperty({ enum: ['customer', 'admin'], example: 'customer' }) role!: string;
  @ApiProperty({ format: 'date-time', example: '2024-05-01T12:00:00.000Z' }) created_at!: string;
  @ApiProperty({ format: 'date-time', example: '2024-05-01T12:00:00.000Z' }) updated_at!: string;
}

export function toProfileDto(user: User): ProfileDto {
  return {
    user_id: user.userId,
    username: user.username,
    email: user.email,
    first_name: user.firstName,
    last_name: user.lastName,
    phone: user.phone,
    date_of_birth: user.dateOfBirth,
    marketing_emails_consent: user.marketingEmailsConsent,
    email_verified: user.emailVerified,
    email_verified_at: user.emailVerifiedAt,
    role: user.role,
    created_at: user.createdAt,
    updated_at: user.updatedAt,
  };
}

export class ProfileUpdatedDto {
  @ApiProperty({ example: 'Profile updated successfully' }) message!: string;
  @ApiProperty({ type: ProfileDto }) user!: ProfileDto;
}
