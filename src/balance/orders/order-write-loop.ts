import { ServiceUnavailableError } from '../../common/errors';
import type { Logger } from '../../common/logging/logger';
import { BalanceBusyError, MovementOutcomeUnknownError } from '../domain/balance.errors';
import {
  backoff,
  MAX_ATTEMPTS,
  MOVEMENT_DEADLINE_MS,
  SETTLE_BUDGET_MS,
  SETTLE_RESENDS,
  settleBackoff,
} from '../money-movement.service';
import type {
  OrderLedgerRepository,
  OrderWrite,
  OrderWriteOutcome,
} from '../persistence/order-ledger.repository';

/** What one attempt decided: a write to make, or an answer without one (a replay, a no-op). */
export type Decision<R> = { write: OrderWrite } | { done: R };

export type SettledOutcome = Exclude<
  OrderWriteOutcome,
  'unknown' | 'contended' | 'balance_changed' | 'order_exists'
>;

/**
 * The optimistic loop of every order write, with the same rules as deposits and withdrawals: each
 * attempt reads and decides afresh; a lost race (version moved, conflict, order id taken
 * meanwhile) plans again; a write whose outcome is unknown is resent unchanged until the store
 * settles it, never replaced by a new one; 503 when retries or the settle budget run out.
 */
export async function runOrderWrite<R>(
  repository: OrderLedgerRepository,
  logger: Logger,
  context: { operation: string; userId: string; requestId?: string },
  decide: (attempt: number) => Promise<Decision<R>>,
  finish: (outcome: SettledOutcome, write: OrderWrite) => R,
): Promise<R> {
  const deadline = Date.now() + MOVEMENT_DEADLINE_MS;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (attempt > 0) await backoff(attempt);
    // No new write is planned past the request's deadline (every earlier one was settled).
    if (attempt > 0 && Date.now() >= deadline) break;
    const decision = await decide(attempt);
    if ('done' in decision) return decision.done;
    const { write } = decision;
    const firstSentAt = Date.now();
    let outcome = await repository.applyOrderWrite(write);
    if (outcome === 'unknown')
      outcome = await settle(repository, logger, context, write, firstSentAt);
    if (
      outcome === 'balance_changed' ||
      outcome === 'contended' ||
      outcome === 'order_exists' ||
      outcome === 'unknown'
    ) {
      continue;
    }
    return finish(outcome, write);
  }
  logger.warn(
    { user_id: context.userId, operation: context.operation, request_id: context.requestId },
    'balance busy: optimistic retries or the request deadline ran out',
  );
  throw new BalanceBusyError();
}

async function settle(
  repository: OrderLedgerRepository,
  logger: Logger,
  context: { operation: string; userId: string; requestId?: string },
  write: OrderWrite,
  firstSentAt: number,
): Promise<OrderWriteOutcome> {
  const deadline = firstSentAt + SETTLE_BUDGET_MS;
  for (let resend = 1; resend <= SETTLE_RESENDS && Date.now() < deadline; resend++) {
    await settleBackoff(resend);
    if (Date.now() >= deadline) break;
    try {
      const outcome = await repository.applyOrderWrite(write);
      if (outcome !== 'unknown' && outcome !== 'contended') return outcome;
    } catch (err) {
      if (!(err instanceof ServiceUnavailableError)) {
        logger.error(
          { ...context, transaction_id: write.transaction.transactionId, err },
          'order write resend rejected',
        );
      }
    }
  }
  logger.error(
    {
      user_id: context.userId,
      operation: context.operation,
      request_id: context.requestId,
      transaction_id: write.transaction.transactionId,
    },
    'order write outcome unknown: resending the same write did not settle it',
  );
  throw new MovementOutcomeUnknownError();
}
