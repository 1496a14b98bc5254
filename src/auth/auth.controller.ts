import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Principal } from '../common/auth/principal';
import { Client, ClientContext } from '../common/decorators/client-context.decorator';
import { CurrentUser } from '../common/decorators/current-user.decorator';
import { Public } from '../common/decorators/public.decorator';
import { toProfileDto } from '../users/dto/profile.dto';
import { LoginDto, LogoutDto, MessageDto, RefreshDto, TokensDto } from './dto/login.dto';
import { RegisterDto, RegisteredDto } from './dto/register.dto';
import { LoginService } from './login.service';
import { RegistrationService } from './registration.service';
import { IssuedTokens, SessionService } from './sessions/session.service';

function toTokensDto(t: IssuedTokens): TokensDto {
  return {
    access_token: t.accessToken,
    token_type: 'bearer',
    expires_in: t.expiresIn,
    refresh_token: t.refreshToken,
    refresh_expires_in: t.refreshExpiresIn,
    user_id: t.userId,
  };
}

@ApiTags('auth')
@ApiTooManyRequestsResponse({ description: '`rate_limited`: too many requests from this client.' })
@Controller('auth')
export class AuthController {
  constructor(
    private readonly registration: RegistrationService,
    private readonly logins: LoginService,
    private readonly sessions: SessionService,
  ) {}

  @Public()
  @Post('register')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Create a customer account (user, name guards and zero balance in one transaction).',
  })
  @ApiCreatedResponse({ type: RegisteredDto })
  @ApiUnprocessableEntityResponse({
    description: '`validation_failed`; `errors[].field` names the field.',
  })
  @ApiConflictResponse({ description: '`username_taken` or `email_taken`; nothing was written.' })
  @ApiServiceUnavailableResponse({
    description: 'The database stayed busy; nothing was written, retry.',
  })
  async register(
    @Body() body: RegisterDto,
    @Client() client: ClientContext,
  ): Promise<RegisteredDto> {
    const user = await this.registration.register(body, client);
    return { message: 'User registered successfully', user: toProfileDto(user) };
  }

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Log in with a username or e-mail; starts a session.' })
  @ApiOkResponse({ type: TokensDto })
  @ApiUnauthorizedResponse({
    description: '`invalid_credentials` (same body for unknown user and wrong password).',
  })
  @ApiTooManyRequestsResponse({
    description:
      '`account_locked` after too many failures for this account (see Retry-After), or `rate_limited`.',
  })
  @ApiUnprocessableEntityResponse({ description: '`validation_failed`.' })
  async login(@Body() body: LoginDto, @Client() client: ClientContext): Promise<TokensDto> {
    return toTokensDto(await this.logins.login(body.username, body.password, client));
  }

  @Public()
  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Exchange a refresh token for a new pair; each refresh token works once, a reused one ends its session.',
  })
  @ApiOkResponse({ type: TokensDto })
  @ApiUnauthorizedResponse({
    description: '`invalid_refresh_token`: unknown, expired, revoked or already used.',
  })
  @ApiUnprocessableEntityResponse({ description: '`validation_failed`.' })
  async refresh(@Body() body: RefreshDto, @Client() client: ClientContext): Promise<TokensDto> {
    return toTokensDto(await this.sessions.refresh(body.refresh_token, client));
  }

  @Post('logout')
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiOperation({
    summary: "End the bearer token's session: its access and refresh tokens stop working.",
  })
  @ApiBody({ type: LogoutDto, required: false })
  @ApiOkResponse({ type: MessageDto })
  @ApiForbiddenResponse({ description: 'Service tokens have no session.' })
  @ApiUnprocessableEntityResponse({ description: '`validation_failed` (unknown body field).' })
  async logout(
    @CurrentUser() user: Principal,
    @Client() client: ClientContext,
    @Body() _body: LogoutDto,
  ): Promise<MessageDto> {
    if (user.sessionId) await this.sessions.end(user.userId, user.sessionId, client);
    return { message: 'Logged out successfully' };
  }
}
