import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { TargetUserId } from '../common/decorators/current-user.decorator';
import { NotFoundError } from '../common/errors';
import { ASSET_ID_PATTERN } from '../balance/orders/dto/order.dto';
import { HoldingResponse, PortfolioResponse } from './dto/portfolio.responses';
import { PortfolioService } from './portfolio.service';

/** Portfolio and holdings; canonical and compatibility routes share their handlers. */
@ApiTags('portfolio')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'unauthorized: no or invalid token.' })
@ApiResponse({ status: 403, description: 'forbidden: not your user_id, or a service token.' })
@ApiResponse({ status: 503, description: 'service_unavailable: DynamoDB is unavailable.' })
@Controller()
export class PortfolioController {
  constructor(private readonly portfolios: PortfolioService) {}

  @Get(['users/:user_id/portfolio', 'portfolio'])
  @ApiOperation({
    summary:
      'Cash and holdings valued with inventory prices; 200 with null prices when the inventory service is down or slow.',
  })
  @ApiOkResponse({ type: PortfolioResponse })
  @ApiResponse({ status: 404, description: 'not_found: the user has no balance.' })
  portfolio(@TargetUserId() userId: string): Promise<PortfolioResponse> {
    return this.portfolios.portfolio(userId);
  }

  @Get(['users/:user_id/holdings/:asset_id', 'balance/asset/:asset_id'])
  @ApiOperation({ summary: 'The quantity held of one asset.' })
  @ApiOkResponse({ type: HoldingResponse })
  @ApiResponse({ status: 404, description: 'not_found: the asset is not held.' })
  holding(
    @TargetUserId() userId: string,
    @Param('asset_id') assetId: string,
  ): Promise<HoldingResponse> {
    if (!ASSET_ID_PATTERN.test(assetId))
      throw new NotFoundError('The user does not hold this asset.');
    return this.portfolios.holding(userId, assetId);
  }
}
