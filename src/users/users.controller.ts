import { Body, Controller, Get, Put } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { TargetUserId } from '../common/decorators/current-user.decorator';
import { ProfileDto, ProfileUpdatedDto, toProfileDto } from './dto/profile.dto';
import { UpdateProfileDto } from './dto/update-profile.dto';
import { UsersService } from './users.service';

/**
 * Profiles. Each handler serves the canonical `/users/{user_id}/...` route and the compatibility
 * route that acts on the token's own user (`/auth/profile`).
 */
@ApiTags('users')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: "Another user's id (customers), or a service token." })
@Controller()
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get(['users/:user_id/profile', 'auth/profile'])
  @ApiOperation({ summary: "A user's profile (`user_id` may be `me`)." })
  @ApiOkResponse({ type: ProfileDto })
  @ApiNotFoundResponse({
    description:
      'No such user (admins; customers get 403), or a user_id that is neither `me` nor a UUID.',
  })
  async getProfile(@TargetUserId() userId: string): Promise<ProfileDto> {
    return toProfileDto(await this.users.getProfile(userId));
  }

  @Put(['users/:user_id/profile', 'auth/profile'])
  @ApiOperation({
    summary: 'Change profile fields; `null` clears an optional field; an e-mail change is atomic.',
  })
  @ApiOkResponse({ type: ProfileUpdatedDto })
  @ApiUnprocessableEntityResponse({
    description:
      'Invalid value, or a field that cannot be changed here (role, username, password, ...).',
  })
  @ApiConflictResponse({
    description:
      '`email_taken`: the new e-mail belongs to another account; `concurrent_update`: retry.',
  })
  @ApiServiceUnavailableResponse({
    description: 'The database stayed busy; nothing changed, retry.',
  })
  @ApiNotFoundResponse({ description: 'No such user.' })
  async updateProfile(
    @TargetUserId() userId: string,
    @Body() body: UpdateProfileDto,
  ): Promise<ProfileUpdatedDto> {
    const user = await this.users.updateProfile(userId, body);
    return { message: 'Profile updated successfully', user: toProfileDto(user) };
  }
}
