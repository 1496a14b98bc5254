import { SetMetadata } from '@nestjs/common';
import { MONEY_RATE_LIMIT } from './rate-limit.constants';

/**
 * Puts a route (or every route of a controller) under the per-user money limit
 * (MONEY_RATE_LIMIT_PER_MINUTE), counted per authenticated user across all marked routes.
 */
export const MoneyRateLimit = () => SetMetadata(MONEY_RATE_LIMIT, true);
