import { Controller, Delete, Get, HttpCode, Param } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Principal } from '../../common/auth/principal';
import { Client, ClientContext } from '../../common/decorators/client-context.decorator';
import { CurrentUser, TargetUserId } from '../../common/decorators/current-user.decorator';
import { SessionDto, SessionsDto } from '../dto/sessions.dto';
import { SessionService } from './session.service';

@ApiTags('auth')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: "Another user's id (customers), or a service token." })
@Controller('users/:user_id/sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionService) {}

  @Get()
  @ApiOperation({ summary: "A user's live sessions, newest first; `current` marks the caller's." })
  @ApiOkResponse({ type: SessionsDto })
  async list(
    @TargetUserId() userId: string,
    @CurrentUser() caller: Principal,
  ): Promise<SessionsDto> {
    const sessions = await this.sessions.list(userId);
    return {
      sessions: sessions.map((s): SessionDto => ({
        session_id: s.sessionId,
        created_at: s.createdAt,
        last_used_at: s.lastUsedAt,
        ip: s.ip,
        user_agent: s.userAgent,
        current: caller.userId === userId && caller.sessionId === s.sessionId,
      })),
    };
  }

  @Delete(':session_id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Revoke one session: its access and refresh tokens stop working at once.',
  })
  @ApiNoContentResponse({ description: 'Revoked.' })
  @ApiNotFoundResponse({ description: 'No such session.' })
  async revoke(
    @TargetUserId() userId: string,
    @Param('session_id') sessionId: string,
    @Client() client: ClientContext,
  ): Promise<void> {
    await this.sessions.revoke(userId, sessionId, client);
  }
}
