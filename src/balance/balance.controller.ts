import { applyDecorators, Body, Controller, Get, HttpCode, Post, Query, Res } from '@nestjs/common';
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
import { OwnData, ReadsOwnData } from '../common/auth/own-data';
import { CurrentUser, TargetUserId } from '../common/decorators/current-user.decorator';
import { ClientAbortSignal } from '../common/http/client-abort-signal.decorator';
import { MoneyRateLimit } from '../common/rate-limit';
import { RequiresVerifiedEmail } from '../users/email-verification/verified-email.guard';
import { BalanceSnapshotReader } from './balance-snapshot.reader';
import { BalanceService } from './balance.service';
import type { Balance } from './domain/ledger';
import {
  MovementResponse,
  BalanceResponse,
  TransactionPageResponse,
} from './dto/balance.responses';
import { MoneyMovementDto } from './dto/money-movement.dto';
import { TransactionListQuery } from './dto/transaction-list.query';
import { IdempotencyKey, RequestId } from './http/request-params.decorators';
import { MovementCommand, MoneyMovementService, MovementResult } from './money-movement.service';

const IDEMPOTENCY_HEADER = {
  name: 'Idempotency-Key',
  required: false,
  description:
    'Up to 255 visible ASCII characters. A retry with the same key and body within 24 h returns ' +
    'the first response (header `Idempotent-Replayed: true`) and changes nothing.',
};
const MOVEMENT_422 =
  'validation_failed (names the field), insufficient_funds, daily_limit_exceeded or idempotency_key_reused.';
const UNAVAILABLE =
  'service_unavailable: DynamoDB is unavailable or the balance is busy (Retry-After).';

/** What deposit and withdraw share: 201, the per-user money limit, the key header, the documented errors. */
function MoneyMovementEndpoint(path: string, summary: string) {
  return applyDecorators(
    Post([`users/:user_id/balance/${path}`, `balance/${path}`]),
    HttpCode(201),
    ReadsOwnData(BalanceSnapshotReader),
    MoneyRateLimit(),
    RequiresVerifiedEmail(),
    ApiOperation({ summary }),
    ApiHeader(IDEMPOTENCY_HEADER),
    ApiCreatedResponse({ type: MovementResponse }),
    ApiResponse({ status: 404, description: 'not_found: the user has no balance.' }),
    ApiResponse({
      status: 403,
      description:
        'email_not_verified: EMAIL_VERIFICATION_REQUIRED and the address is unconfirmed.',
    }),
    ApiResponse({ status: 422, description: MOVEMENT_422 }),
    ApiResponse({
      status: 429,
      description: 'rate_limited: money operations per user (Retry-After).',
    }),
    ApiResponse({ status: 503, description: UNAVAILABLE }),
  );
}

/**
 * Balance, deposits, withdrawals and history. Every handler serves the canonical
 * `/users/{user_id}/...` route and the old clients' compatibility route (the caller's own user).
 */
@ApiTags('balance')
@ApiBearerAuth()
@ApiResponse({ status: 403, description: 'forbidden: not your user_id (canonical routes).' })
@Controller()
export class BalanceController {
  constructor(
    private readonly balances: BalanceService,
    private readonly movements: MoneyMovementService,
  ) {}

  @Get(['users/:user_id/balance', 'balance'])
  @ReadsOwnData(BalanceSnapshotReader)
  @ApiOperation({ summary: 'Current, available and held balance (strongly consistent).' })
  @ApiOkResponse({ type: BalanceResponse })
  @ApiResponse({ status: 404, description: 'not_found: the user has no balance.' })
  @ApiResponse({ status: 503, description: UNAVAILABLE })
  getBalance(
    @TargetUserId() userId: string,
    @OwnData() started: Promise<Balance | null> | undefined,
  ): Promise<BalanceResponse> {
    return this.balances.getBalance(userId, started);
  }

  @MoneyMovementEndpoint('deposit', 'Deposit (daily limit per UTC day; optional Idempotency-Key).')
  async deposit(
    @TargetUserId() userId: string,
    @Body() body: MoneyMovementDto,
    @IdempotencyKey() idempotencyKey: string | undefined,
    @RequestId() requestId: string,
    @CurrentUser() actor: Principal,
    @OwnData() balanceRead: Promise<Balance | null> | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<MovementResponse> {
    const command = this.command(userId, body, idempotencyKey, requestId, actor, balanceRead);
    return this.reply(reply, await this.movements.deposit(command));
  }

  @MoneyMovementEndpoint(
    'withdraw',
    'Withdraw up to the available balance (daily limit per UTC day; optional Idempotency-Key).',
  )
  async withdraw(
    @TargetUserId() userId: string,
    @Body() body: MoneyMovementDto,
    @IdempotencyKey() idempotencyKey: string | undefined,
    @RequestId() requestId: string,
    @CurrentUser() actor: Principal,
    @OwnData() balanceRead: Promise<Balance | null> | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<MovementResponse> {
    const command = this.command(userId, body, idempotencyKey, requestId, actor, balanceRead);
    return this.reply(reply, await this.movements.withdraw(command));
  }

  @Get(['users/:user_id/balance/transactions', 'balance/transactions'])
  @ApiOperation({
    summary: 'Transaction history, newest first, with an opaque cursor (strongly consistent).',
  })
  @ApiOkResponse({ type: TransactionPageResponse })
  @ApiResponse({ status: 422, description: 'validation_failed: bad limit, filter or cursor.' })
  @ApiResponse({ status: 503, description: UNAVAILABLE })
  listTransactions(
    @TargetUserId() userId: string,
    @Query() query: TransactionListQuery,
    @ClientAbortSignal() signal: AbortSignal,
  ): Promise<TransactionPageResponse> {
    return this.balances.listTransactions(userId, query, signal);
  }

  private command(
    userId: string,
    body: MoneyMovementDto,
    idempotencyKey: string | undefined,
    requestId: string,
    actor: Principal,
    balanceRead: Promise<Balance | null> | undefined,
  ): MovementCommand {
    return {
      userId,
      amountCents: body.amount.cents,
      description: body.description ? body.description : null,
      idempotencyKey,
      requestId,
      actor: { userId: actor.userId, role: actor.role },
      balanceRead,
    };
  }

  private reply(reply: FastifyReply, result: MovementResult): MovementResponse {
    reply.status(result.statusCode);
    if (result.replayed) reply.header('Idempotent-Replayed', 'true');
    return result.body;
  }
}
