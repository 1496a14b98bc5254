import { ApiProperty } from '@nestjs/swagger';

export class SessionDto {
  @ApiProperty({ example: '01HZX3M6W1V3YB7T8Q2K9N4C5D' }) session_id!: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time', description: 'Last login or token refresh of this session.' })
  last_used_at!: string;
  @ApiProperty({ type: String, nullable: true, example: '203.0.113.7' }) ip!: string | null;
  @ApiProperty({ type: String, nullable: true }) user_agent!: string | null;
  @ApiProperty({ description: 'True for the session of the token making this request.' })
  current!: boolean;
}

export class SessionsDto {
  @ApiProperty({ type: [SessionDto] }) sessions!: SessionDto[];
}
