import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../common/decorators/roles.decorator';
import { TargetUserId } from '../../common/decorators/current-user.decorator';
import { ReconcileReportResponse } from './reconcile.responses';
import { ReconcileService } from './reconcile.service';

@ApiTags('internal')
@ApiBearerAuth()
@Controller()
export class ReconcileController {
  constructor(private readonly reconcile: ReconcileService) {}

  @Get('internal/users/:user_id/reconcile')
  @Roles('admin')
  @ApiOperation({
    summary:
      "Admin: recompute a user's balance from the transaction items and report every mismatch.",
  })
  @ApiOkResponse({
    type: ReconcileReportResponse,
    description: '`ok` is false when anything differs.',
  })
  @ApiResponse({ status: 403, description: 'forbidden: admin only.' })
  @ApiResponse({ status: 404, description: 'not_found: no balance and no transactions.' })
  @ApiResponse({ status: 503, description: 'service_unavailable: DynamoDB is unavailable.' })
  reconcileUser(@TargetUserId() userId: string): Promise<ReconcileReportResponse> {
    return this.reconcile.reconcileUserOrFail(userId);
  }
}
