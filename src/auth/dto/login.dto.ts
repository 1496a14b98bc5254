import { ApiProperty } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';

export class LoginDto {
  @ApiProperty({ description: 'A username or an e-mail address.', example: 'jane_doe' })
  @IsString()
  @Length(1, 254)
  username!: string;

  @ApiProperty({ format: 'password', example: 'correct horse battery staple' })
  @IsString()
  @Length(1, 1024)
  password!: string;
}

export class RefreshDto {
  @ApiProperty({ description: 'The refresh token from the last login or refresh.' })
  @IsString()
  @Length(1, 512)
  refresh_token!: string;
}

/** Old clients send `{access_token}`; it is accepted and ignored (the bearer header decides). */
export class LogoutDto {
  @ApiProperty({ required: false, deprecated: true })
  @IsOptional()
  @IsString()
  @Length(0, 4096)
  access_token?: string;

  @ApiProperty({ required: false, description: 'Ignored; the session of the bearer token ends.' })
  @IsOptional()
  @IsString()
  @Length(0, 512)
  refresh_token?: string;
}

export class TokensDto {
  @ApiProperty() access_token!: string;
  @ApiProperty({ example: 'bearer' }) token_type!: 'bearer';
  @ApiProperty({ description: 'Seconds until the access token expires.', example: 1800 })
  expires_in!: number;
  @ApiProperty({ description: 'Single use: each refresh returns a new one.' })
  refresh_token!: string;
  @ApiProperty({ description: 'Seconds until the refresh token expires.', example: 604800 })
  refresh_expires_in!: number;
  @ApiProperty({ format: 'uuid' }) user_id!: string;
}

export class MessageDto {
  @ApiProperty({ example: 'Logged out successfully' }) message!: string;
}
