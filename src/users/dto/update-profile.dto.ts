import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, ValidateIf } from 'class-validator';
import { EMAIL_MAX_LENGTH } from '../domain/user-fields';
import {
  IsDateOfBirth,
  IsEmailAddress,
  IsPersonName,
  IsPhoneNumber,
  toCanonicalEmail,
  trim,
} from './field-validators';

const present = (_: object, value: unknown) => value !== undefined;

/**
 * `PUT /users/{user_id}/profile`. Absent fields stay as they are; `null` clears `phone` or
 * `date_of_birth` (and resets `marketing_emails_consent` to false). Any other field — `role`,
 * `username`, `password`, balances — is rejected with 422 by the global validation pipe.
 */
export class UpdateProfileDto {
  @ApiPropertyOptional({ example: 'Jane', minLength: 1, maxLength: 50 })
  @ValidateIf(present)
  @Transform(trim)
  @IsPersonName()
  first_name?: string;

  @ApiPropertyOptional({ example: 'Doe', minLength: 1, maxLength: 50 })
  @ValidateIf(present)
  @Transform(trim)
  @IsPersonName()
  last_name?: string;

  @ApiPropertyOptional({
    format: 'email',
    maxLength: EMAIL_MAX_LENGTH,
    example: 'jane@example.com',
  })
  @ValidateIf(present)
  @Transform(toCanonicalEmail)
  @IsString()
  @IsEmailAddress()
  email?: string;

  @ApiPropertyOptional({ type: String, nullable: true, example: '+1 555 010 9999' })
  @IsOptional()
  @IsPhoneNumber()
  phone?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, format: 'date', example: '1990-04-01' })
  @IsOptional()
  @IsDateOfBirth()
  date_of_birth?: string | null;

  @ApiPropertyOptional({ type: Boolean, nullable: true, example: true })
  @IsOptional()
  @IsBoolean()
  marketing_emails_consent?: boolean | null;
}
