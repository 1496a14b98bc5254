import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { TargetUserId } from '../../common/decorators/current-user.decorator';
import { Public } from '../../common/decorators/public.decorator';
import { AcceptedDto, EmailTokenDto, EmailVerifiedDto } from '../dto/email-verification.dto';
import { EmailVerificationService } from './email-verification.service';

@ApiTags('accounts')
@Controller()
export class EmailVerificationController {
  constructor(private readonly verification: EmailVerificationService) {}

  @Public()
  @Post('auth/verify-email')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Confirm an address with the token from the verification link (single use, 24 h; only the newest link works).',
  })
  @ApiOkResponse({ type: EmailVerifiedDto })
  @ApiBadRequestResponse({
    description: '`invalid_token`: malformed, unknown, expired, superseded or used.',
  })
  async verify(@Body() body: EmailTokenDto): Promise<EmailVerifiedDto> {
    const user = await this.verification.verify(body.token);
    return {
      message: 'E-mail address verified',
      email_verified: user.emailVerified,
      email_verified_at: user.emailVerifiedAt,
    };
  }

  @Post('users/:user_id/email/verification')
  @HttpCode(202)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Send a fresh verification link (earlier links stop working).' })
  @ApiAcceptedResponse({ type: AcceptedDto })
  @ApiForbiddenResponse({ description: "Another user's id (customers), or a service token." })
  async resend(@TargetUserId() userId: string): Promise<AcceptedDto> {
    const sent = await this.verification.resend(userId);
    return {
      message: sent
        ? 'A new verification link has been sent.'
        : 'The e-mail address is already verified.',
    };
  }
}
