import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, Matches } from 'class-validator';
import { ProfileDto } from '../../users/dto/profile.dto';
import {
  IsDateOfBirth,
  IsEmailAddress,
  IsPersonName,
  IsPhoneNumber,
  trim,
  toCanonicalEmail,
} from '../../users/dto/field-validators';
import { EMAIL_MAX_LENGTH, USERNAME_PATTERN } from '../../users/domain/user-fields';
import { IsAcceptablePassword } from '../password/is-acceptable-password.decorator';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../password/password-policy';

const lower = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.toLowerCase() : value;

export class RegisterDto {
  @ApiProperty({
    example: 'jane_doe',
    minLength: 6,
    maxLength: 30,
    pattern: USERNAME_PATTERN.source,
  })
  @Transform(lower)
  @IsString()
  @Matches(USERNAME_PATTERN, {
    message: 'username must be 6-30 characters of letters, digits and underscores',
  })
  username!: string;

  @ApiProperty({ format: 'email', maxLength: EMAIL_MAX_LENGTH, example: 'jane@example.com' })
  @Transform(toCanonicalEmail)
  @IsString()
  @IsEmailAddress()
  email!: string;

  @ApiProperty({
    format: 'password',
    minLength: PASSWORD_MIN_LENGTH,
    maxLength: PASSWORD_MAX_LENGTH,
    description: 'Any characters; not one of the most common passwords.',
    example: 'correct horse battery staple',
  })
  @IsAcceptablePassword()
  password!: string;

  @ApiProperty({ example: 'Jane', minLength: 1, maxLength: 50 })
  @Transform(trim)
  @IsPersonName()
  first_name!: string;

  @ApiProperty({ example: 'Doe', minLength: 1, maxLength: 50 })
  @Transform(trim)
  @IsPersonName()
  last_name!: string;

  @ApiPropertyOptional({
    example: '+1 555 010 9999',
    description: '10-15 digits; punctuation ignored.',
  })
  @IsOptional()
  @IsPhoneNumber()
  phone?: string;

  @ApiPropertyOptional({ format: 'date', example: '1990-04-01', description: 'Age 13-120.' })
  @IsOptional()
  @IsDateOfBirth()
  date_of_birth?: string;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  marketing_emails_consent?: boolean;
}

export class RegisteredDto {
  @ApiProperty({ example: 'User registered successfully' }) message!: string;
  @ApiProperty({ type: ProfileDto }) user!: ProfileDto;
}
