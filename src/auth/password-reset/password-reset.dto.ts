import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, MaxLength } from 'class-validator';
import { IsEmailAddress, toCanonicalEmail } from '../../users/dto/field-validators';
import { EMAIL_MAX_LENGTH } from '../../users/domain/user-fields';
import { IsAcceptablePassword } from '../password/is-acceptable-password.decorator';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../password/password-policy';

export class PasswordResetRequestDto {
  @ApiProperty({ format: 'email', maxLength: EMAIL_MAX_LENGTH, example: 'jane@example.com' })
  @Transform(toCanonicalEmail)
  @IsString()
  @IsEmailAddress()
  email!: string;
}

export class PasswordResetConfirmDto {
  @ApiProperty({ description: 'The token from the reset link (the part after `#token=`).' })
  @IsString()
  @MaxLength(200)
  token!: string;

  @ApiProperty({
    format: 'password',
    minLength: PASSWORD_MIN_LENGTH,
    maxLength: PASSWORD_MAX_LENGTH,
  })
  @IsAcceptablePassword()
  new_password!: string;
}

export class PasswordResetAcceptedDto {
  @ApiProperty({
    example: 'If an account uses this address, a link to reset its password has been sent.',
  })
  message!: string;
}
