import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';

export class EmailTokenDto {
  @ApiProperty({ description: 'The token from the link (the part after `#token=`).' })
  @IsString()
  @MaxLength(200)
  token!: string;
}

export class EmailVerifiedDto {
  @ApiProperty({ example: 'E-mail address verified' }) message!: string;
  @ApiProperty({ example: true }) email_verified!: boolean;
  @ApiProperty({ format: 'date-time' }) email_verified_at!: string | null;
}

export class AcceptedDto {
  @ApiProperty({ example: 'A new verification link has been sent.' }) message!: string;
}
