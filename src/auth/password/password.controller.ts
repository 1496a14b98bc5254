import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Principal } from '../../common/auth/principal';
import { Client, ClientContext } from '../../common/decorators/client-context.decorator';
import { CurrentUser, TargetUserId } from '../../common/decorators/current-user.decorator';
import { MessageDto } from '../dto/login.dto';
import { ChangePasswordDto } from '../dto/password.dto';
import { PasswordChangeService } from './password-change.service';

@ApiTags('auth')
@ApiBearerAuth()
@Controller('users/:user_id/password')
export class PasswordController {
  constructor(private readonly passwords: PasswordChangeService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Change the password; every other session of the user is revoked.' })
  @ApiOkResponse({ type: MessageDto })
  @ApiUnprocessableEntityResponse({
    description:
      '`invalid_current_password`, or `validation_failed` (new password too short, too long or too common).',
  })
  @ApiTooManyRequestsResponse({
    description: '`account_locked`: too many wrong current passwords.',
  })
  @ApiForbiddenResponse({ description: "Another user's id (customers), or a service token." })
  @ApiNotFoundResponse({ description: 'No such user.' })
  async change(
    @TargetUserId() userId: string,
    @CurrentUser() caller: Principal,
    @Body() body: ChangePasswordDto,
    @Client() client: ClientContext,
  ): Promise<MessageDto> {
    await this.passwords.change(caller, userId, body.current_password, body.new_password, client);
    return { message: 'Password changed successfully' };
  }
}
