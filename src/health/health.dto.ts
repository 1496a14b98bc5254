import { ApiProperty } from '@nestjs/swagger';

export class LivenessDto {
  @ApiProperty({ example: 'healthy' }) status!: string;
  @ApiProperty({ example: 'user-service' }) service!: string;
  @ApiProperty({ example: '1.0.0' }) version!: string;
  @ApiProperty({ example: '2026-01-01T00:00:00.000Z' }) timestamp!: string;
}
