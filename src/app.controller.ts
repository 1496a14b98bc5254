import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Public } from './common/decorators/public.decorator';
import { APP_CONFIG, AppConfig } from './config';

class ServiceInfoDto {
  @ApiProperty({ example: 'user-service' }) service!: string;
  @ApiProperty({ example: '1.0.0' }) version!: string;
  @ApiProperty({ example: 'running' }) status!: string;
  @ApiProperty({ example: { docs: '/docs', health: '/health' } }) links!: Record<string, string>;
}

@ApiTags('service')
@Controller()
export class AppController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Public()
  @Get()
  @ApiOperation({ summary: 'Service information and links.' })
  @ApiOkResponse({ type: ServiceInfoDto })
  info(): ServiceInfoDto {
    const links: Record<string, string> = {
      health: '/health',
      readiness: '/health/ready',
      metrics: '/metrics',
    };
    if (this.config.docsEnabled)
      Object.assign(links, { docs: '/docs', redoc: '/redoc', openapi: '/docs-json' });
    return { service: 'user-service', version: this.config.version, status: 'running', links };
  }
}
