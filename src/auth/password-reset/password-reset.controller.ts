import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { Client, ClientContext } from '../../common/decorators/client-context.decorator';
import { Public } from '../../common/decorators/public.decorator';
import { MessageDto } from '../dto/login.dto';
import {
  PasswordResetAcceptedDto,
  PasswordResetConfirmDto,
  PasswordResetRequestDto,
} from './password-reset.dto';
import { PasswordResetService } from './password-reset.service';

@ApiTags('auth')
@Public()
@Controller('auth/password-reset')
export class PasswordResetController {
  constructor(private readonly resets: PasswordResetService) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Ask for a reset link (30 min). Same answer, in similar time, whether or not the address has an account.',
  })
  @ApiAcceptedResponse({ type: PasswordResetAcceptedDto })
  @ApiTooManyRequestsResponse({
    description: '`rate_limited`: 3 requests per address per hour, or the per-client /auth limit.',
  })
  @ApiUnprocessableEntityResponse({ description: '`validation_failed`: not an e-mail address.' })
  async request(
    @Body() body: PasswordResetRequestDto,
    @Client() client: ClientContext,
  ): Promise<PasswordResetAcceptedDto> {
    await this.resets.request(body.email, client);
    return {
      message: 'If an account uses this address, a link to reset its password has been sent.',
    };
  }

  @Post('confirm')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Set a new password with the token from the reset link: every session ends, the login lockout is cleared.',
  })
  @ApiOkResponse({ type: MessageDto })
  @ApiBadRequestResponse({
    description: '`invalid_token`: malformed, unknown, expired, superseded or used.',
  })
  @ApiUnprocessableEntityResponse({ description: '`validation_failed`: the password policy.' })
  async confirm(
    @Body() body: PasswordResetConfirmDto,
    @Client() client: ClientContext,
  ): Promise<MessageDto> {
    await this.resets.confirm(body.token, body.new_password, client);
    return { message: 'Password has been reset; sign in with the new password.' };
  }
}
