import { Body, Controller, HttpCode, Param, Post, Res } from '@nestjs/common';
import { RequiresVerifiedEmail } from '../../users/email-verification/verified-email.guard';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Principal } from '../../common/auth/principal';
import { CurrentUser, TargetUserId } from '../../common/decorators/current-user.decorator';
import { Roles } from '../../common/decorators/roles.decorator';
import { isTransactionId } from '../../common/ids';
import { RequestId } from '../http/request-params.decorators';
import { CompleteHoldDto, CreateHoldDto, DEFAULT_HOLD_SECONDS, SellDto } from './dto/order.dto';
import { OrderResponse, ReleaseExpiredResponse } from './dto/order.responses';
import { TransactionNotFoundError } from './order.errors';
import { OrderContext, OrderResult, OrderSettlementService } from './order-settlement.service';

const UNAVAILABLE = 'service_unavailable: DynamoDB is unavailable or the balance is busy.';
const TRANSACTION_ID = {
  name: 'transaction_id',
  description: 'The pending order_payment transaction (ULID).',
};

/**
 * Order integration (SPEC §4): the order service's holds, completions, cancellations and sells.
 * `service` or `admin` tokens only; a customer token gets 403 before any handler runs.
 */
@ApiTags('internal')
@ApiBearerAuth()
@Roles('service', 'admin')
@ApiResponse({ status: 401, description: 'unauthorized: no or invalid token.' })
@ApiResponse({ status: 403, description: 'forbidden: service or admin token required.' })
@ApiResponse({ status: 503, description: UNAVAILABLE })
@Controller()
export class OrdersController {
  constructor(private readonly orders: OrderSettlementService) {}

  @Post('internal/users/:user_id/balance/holds')
  @HttpCode(201)
  @RequiresVerifiedEmail()
  @ApiOperation({
    summary:
      'Hold an amount for an order: available → held, a pending order_payment (idempotent on order_id).',
  })
  @ApiResponse({
    status: 201,
    type: OrderResponse,
    description: 'Held (or the same order replayed, header Idempotent-Replayed).',
  })
  @ApiResponse({ status: 404, description: 'not_found: the user has no balance.' })
  @ApiResponse({
    status: 403,
    description: 'email_not_verified: EMAIL_VERIFICATION_REQUIRED and the address is unconfirmed.',
  })
  @ApiResponse({
    status: 422,
    description:
      'validation_failed, insufficient_funds, idempotency_key_reused (order_id used with another amount).',
  })
  async hold(
    @TargetUserId() userId: string,
    @Body() body: CreateHoldDto,
    @RequestId() requestId: string,
    @CurrentUser() actor: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<OrderResponse> {
    const result = await this.orders.hold({
      ...this.context(userId, requestId, actor),
      orderId: body.order_id,
      amountCents: body.amount.cents,
      expiresInSeconds: body.expires_in_seconds ?? DEFAULT_HOLD_SECONDS,
    });
    return this.reply(reply, result);
  }

  @Post('internal/users/:user_id/transactions/:transaction_id/complete')
  @HttpCode(200)
  @ApiParam(TRANSACTION_ID)
  @ApiOperation({
    summary:
      'Complete a hold: the amount paid leaves the balance, the rest of the hold returns to available, the asset is credited.',
  })
  @ApiOkResponse({ type: OrderResponse })
  @ApiResponse({ status: 404, description: 'not_found: no such order_payment transaction.' })
  @ApiResponse({
    status: 409,
    description: 'transaction_not_pending: already completed or cancelled.',
  })
  @ApiResponse({
    status: 422,
    description: 'validation_failed, amount_exceeds_hold, holding_limit_exceeded.',
  })
  async complete(
    @TargetUserId() userId: string,
    @Param('transaction_id') transactionId: string,
    @Body() body: CompleteHoldDto,
    @RequestId() requestId: string,
    @CurrentUser() actor: Principal,
  ): Promise<OrderResponse> {
    const result = await this.orders.complete({
      ...this.context(userId, requestId, actor),
      transactionId: this.transactionId(transactionId),
      amountCents: body.amount?.cents,
      asset: body.asset && {
        assetId: body.asset.asset_id,
        quantityUnits: body.asset.quantity.units,
      },
    });
    return result.body;
  }

  @Post('internal/users/:user_id/transactions/:transaction_id/cancel')
  @HttpCode(200)
  @ApiParam(TRANSACTION_ID)
  @ApiOperation({ summary: 'Cancel a hold: the held amount returns to available.' })
  @ApiOkResponse({ type: OrderResponse })
  @ApiResponse({ status: 404, description: 'not_found: no such order_payment transaction.' })
  @ApiResponse({
    status: 409,
    description: 'transaction_not_pending: already completed or cancelled.',
  })
  async cancel(
    @TargetUserId() userId: string,
    @Param('transaction_id') transactionId: string,
    @RequestId() requestId: string,
    @CurrentUser() actor: Principal,
  ): Promise<OrderResponse> {
    const result = await this.orders.cancel({
      ...this.context(userId, requestId, actor),
      transactionId: this.transactionId(transactionId),
    });
    return result.body;
  }

  @Post('internal/users/:user_id/trades/sell')
  @HttpCode(201)
  @ApiOperation({
    summary:
      'Settle a sale: the asset quantity is debited and the proceeds credited as order_sale (idempotent on order_id).',
  })
  @ApiResponse({
    status: 201,
    type: OrderResponse,
    description: 'Settled (or the same order replayed, header Idempotent-Replayed).',
  })
  @ApiResponse({ status: 404, description: 'not_found: the user has no balance.' })
  @ApiResponse({
    status: 422,
    description: 'validation_failed, insufficient_holdings, idempotency_key_reused.',
  })
  async sell(
    @TargetUserId() userId: string,
    @Body() body: SellDto,
    @RequestId() requestId: string,
    @CurrentUser() actor: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<OrderResponse> {
    const result = await this.orders.sell({
      ...this.context(userId, requestId, actor),
      orderId: body.order_id,
      assetId: body.asset_id,
      quantityUnits: body.quantity.units,
      proceedsCents: body.proceeds.cents,
    });
    return this.reply(reply, result);
  }

  @Post('internal/holds/release-expired')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Release holds past their expiry (at most 100 per call; call again while released > 0).',
  })
  @ApiOkResponse({ type: ReleaseExpiredResponse })
  releaseExpired(): Promise<ReleaseExpiredResponse> {
    return this.orders.releaseExpired();
  }

  private context(userId: string, requestId: string, actor: Principal): OrderContext {
    return { userId, requestId, actor: { userId: actor.userId, role: actor.role } };
  }

  /** Anything but a ULID cannot name a transaction: 404 before a key is built from it. */
  private transactionId(raw: string): string {
    if (!isTransactionId(raw)) throw new TransactionNotFoundError();
    return raw;
  }

  private reply(reply: FastifyReply, result: OrderResult): OrderResponse {
    reply.status(result.statusCode);
    if (result.replayed) reply.header('Idempotent-Replayed', 'true');
    return result.body;
  }
}
