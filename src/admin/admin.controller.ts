import { Body, Controller, Get, HttpCode, Post, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Principal } from '../common/auth/principal';
import { CurrentUser, TargetUserId } from '../common/decorators/current-user.decorator';
import { Roles } from '../common/decorators/roles.decorator';
import { ValidationFailedError } from '../common/errors';
import { IdempotencyKey, RequestId } from '../balance/http/request-params.decorators';
import { MovementResponse } from '../balance/dto/balance.responses';
import { MoneyMovementService } from '../balance/money-movement.service';
import { toProfileDto } from '../users/dto/profile.dto';
import type { User } from '../users/domain/user';
import {
  AdjustmentDto,
  AdminReasonDto,
  AdminStatusDto,
  AdminUserDto,
  AdminUserQuery,
} from './admin.dto';
import { AdminService } from './admin.service';

const toAdminUser = (user: User): AdminUserDto => ({ ...toProfileDto(user), status: user.status });

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@ApiResponse({ status: 403, description: '`forbidden`: not an admin token.' })
@Controller('admin/users')
export class AdminController {
  constructor(
    private readonly admin: AdminService,
    private readonly movements: MoneyMovementService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Exact look-up by e-mail or username (through the guards, no scan).' })
  @ApiOkResponse({ type: AdminUserDto })
  @ApiResponse({ status: 404, description: 'No such user.' })
  async find(
    @CurrentUser() caller: Principal,
    @Query() query: AdminUserQuery,
  ): Promise<AdminUserDto> {
    return toAdminUser(await this.admin.find(caller, query));
  }

  @Post(':user_id/disable')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Disable an account: its tokens stop working at once; login answers the wrong-password 401.',
  })
  @ApiOkResponse({ type: AdminStatusDto })
  async disable(
    @CurrentUser() caller: Principal,
    @TargetUserId() userId: string,
    @Body() body: AdminReasonDto,
  ): Promise<AdminStatusDto> {
    const user = await this.admin.setStatus(caller, userId, 'disabled', body.reason);
    return { message: 'User disabled', user_id: user.userId, status: user.status };
  }

  @Post(':user_id/enable')
  @HttpCode(200)
  @ApiOperation({ summary: 'Enable a disabled account (its old sessions stay ended).' })
  @ApiOkResponse({ type: AdminStatusDto })
  async enable(
    @CurrentUser() caller: Principal,
    @TargetUserId() userId: string,
  ): Promise<AdminStatusDto> {
    const user = await this.admin.setStatus(caller, userId, 'active', null);
    return { message: 'User enabled', user_id: user.userId, status: user.status };
  }

  @Post(':user_id/balance/adjustments')
  @HttpCode(201)
  @ApiOperation({
    summary:
      'A signed balance adjustment: one completed `adjustment` transaction, same atomicity and overdraft rule as a withdrawal.',
  })
  @ApiHeader({ name: 'Idempotency-Key', required: true, description: '1–255 visible ASCII.' })
  @ApiCreatedResponse({ type: MovementResponse })
  @ApiResponse({
    status: 422,
    description: '`insufficient_funds`, `idempotency_key_reused` or `validation_failed`.',
  })
  async adjust(
    @CurrentUser() caller: Principal,
    @TargetUserId() userId: string,
    @Body() body: AdjustmentDto,
    @IdempotencyKey() idempotencyKey: string | undefined,
    @RequestId() requestId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<MovementResponse> {
    if (!idempotencyKey) {
      throw new ValidationFailedError([
        { field: 'Idempotency-Key', message: 'Idempotency-Key is required for adjustments' },
      ]);
    }
    const result = await this.movements.adjust({
      userId,
      amountCents: body.amount.cents,
      description: body.reason,
      idempotencyKey,
      requestId,
      actor: { userId: caller.userId, role: caller.role },
    });
    this.admin.audit(caller, 'balance_adjustment', userId, {
      amount_cents: body.amount.cents,
      transaction_id: result.body.transaction_id,
      replayed: result.replayed,
      reason: body.reason,
    });
    reply.status(result.statusCode);
    if (result.replayed) reply.header('Idempotent-Replayed', 'true');
    return result.body;
  }
}
