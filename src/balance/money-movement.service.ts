import { Inject, Injectable, Optional } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { monotonicFactory } from 'ulid';
import { Clock, systemClock } from '../common/clock';
import { AppError, ServiceUnavailableError } from '../common/errors';
import { LOGGER, Logger } from '../common/logging/logger';
import { formatCents } from '../common/money';
import { APP_CONFIG, AppConfig } from '../config';
import { BALANCE_OPERATIONS_TOTAL } from '../metrics/metric-names';
import { presentMovement } from './balance.presenter';
import {
  BalanceBusyError,
  BalanceNotFoundError,
  DailyLimitExceededError,
  IdempotencyKeyReusedError,
  InsufficientFundsError,
  MovementOutcomeUnknownError,
} from './domain/balance.errors';
import { IDEMPOTENCY_TTL_SECONDS, movementRequestHash } from './domain/idempotency';
import {
  availableCents,
  Balance,
  LedgerTransaction,
  LimitedMovementKind,
  MovementKind,
} from './domain/ledger';
import type { MovementResponse } from './dto/balance.responses';
import {
  BalanceRepository,
  MovementOutcome,
  MovementWrite,
} from './persistence/balance.repository';

export interface MovementCommand {
  readonly userId: string;
  readonly amountCents: number;
  readonly description: string | null;
  readonly idempotencyKey?: string;
  readonly requestId?: string;
  readonly actor?: { readonly userId: string; readonly role: string };
  /** The balance read already started for this request (the JWT guard's); the first attempt uses it. */
  readonly balanceRead?: Promise<Balance | null>;
}

export interface MovementResult {
  readonly statusCode: number;
  readonly body: MovementResponse;
  /** True when an earlier response stored under the Idempotency-Key is replayed. */
  readonly replayed: boolean;
}

/** Optimistic-concurrency attempts per request before answering 503 (bounded, jittered). */
export const MAX_ATTEMPTS = 24;
const BACKOFF_BASE_MS = 4;
const BACKOFF_CAP_MS = 100;
/**
 * No new attempt is planned once this long has passed since the request's movement started: 503
 * instead (each attempt's write may still be settled, within its own SETTLE_BUDGET_MS).
 */
export const MOVEMENT_DEADLINE_MS = 15_000;

/**
 * Resends of one write whose outcome is unknown before answering 503: at most this many, each
 * started within this budget from the write's first send (far inside DynamoDB's 10-minute
 * ClientRequestToken window). A first send that used up the budget (the SDK's own same-token
 * retries timed out) gets no further resend: the store is not answering.
 */
export const SETTLE_RESENDS = 8;
export const SETTLE_BUDGET_MS = 5_000;
const SETTLE_BACKOFF_BASE_MS = 25;
const SETTLE_BACKOFF_CAP_MS = 1_000;
/** Errors on a resend that mean our request is wrong (a bug), not that the store is unavailable. */
const RESEND_BUGS = new Set([
  'IdempotentParameterMismatchException',
  'ValidationException',
  'SerializationException',
]);

/** The name of a request-bug error, as thrown or as wrapped into a 503 by the repository. */
function requestBug(err: unknown): string | undefined {
  for (const e of [err, (err as { cause?: unknown } | null)?.cause]) {
    const name = (e as { name?: unknown } | null)?.name;
    if (typeof name === 'string' && RESEND_BUGS.has(name)) return name;
  }
  return undefined;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** Full jitter: a random delay up to an exponentially growing, capped ceiling. */
export const backoff = (attempt: number) =>
  sleep(Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt));
/** Equal jitter: at least half the ceiling, so an in-progress transaction gets time to finish. */
export const settleBackoff = (resend: number) => {
  const ceiling = Math.min(SETTLE_BACKOFF_CAP_MS, SETTLE_BACKOFF_BASE_MS * 2 ** (resend - 1));
  return sleep(ceiling / 2 + (Math.random() * ceiling) / 2);
};

/**
 * Deposits and withdrawals. Each attempt reads the balance (strongly consistent), decides, and
 * writes balance + transaction + daily counter (+ idempotency record) in one conditional
 * transaction pinned to the version it read; a lost race is retried against the fresh balance.
 * A write whose outcome is unknown is never followed by a new one before it is settled.
 */
@Injectable()
export class MoneyMovementService {
  private readonly newId = monotonicFactory();

  constructor(
    private readonly repository: BalanceRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectMetric(BALANCE_OPERATIONS_TOTAL) private readonly operations: Counter<string>,
    @Inject(LOGGER) private readonly logger: Logger,
    @Optional() private readonly clock: Clock = systemClock,
  ) {}

  deposit(command: MovementCommand): Promise<MovementResult> {
    return this.counted('deposit', command);
  }

  withdraw(command: MovementCommand): Promise<MovementResult> {
    return this.counted('withdraw', command);
  }

  /**
   * An admin's adjustment: `amountCents` is SIGNED (credit > 0, debit < 0); no daily limit, and a
   * debit is refused like a withdrawal beyond the available balance. Same transaction and retries.
   */
  adjust(command: MovementCommand): Promise<MovementResult> {
    return this.counted('adjustment', command);
  }

  private async counted(kind: MovementKind, command: MovementCommand): Promise<MovementResult> {
    try {
      const result = await this.move(kind, command);
      this.operations.inc({ operation: kind, result: result.replayed ? 'replayed' : 'success' });
      return result;
    } catch (err) {
      const result = err instanceof AppError ? err.code : 'error';
      this.operations.inc({ operation: kind, result });
      throw err;
    }
  }

  /** The daily limit of deposits and withdrawals; adjustments have none. */
  private limitCents(kind: MovementKind): number {
    if (kind === 'adjustment') return Number.POSITIVE_INFINITY;
    return kind === 'deposit'
      ? this.config.limits.dailyDepositCents
      : this.config.limits.dailyWithdrawCents;
  }

  private async move(kind: MovementKind, command: MovementCommand): Promise<MovementResult> {
    const { userId, amountCents, idempotencyKey: key } = command;
    const requestHash = key
      ? movementRequestHash(kind, userId, amountCents, command.description)
      : undefined;
    const limitCents = this.limitCents(kind);
    const limitError = () =>
      new DailyLimitExceededError(kind as LimitedMovementKind, formatCents(limitCents));
    const signed = signedCents(kind, amountCents);
    /** A business rejection first checks whether a concurrent twin with the same key won. */
    const reject = async (error: AppError): Promise<MovementResult> => {
      const replay = key && requestHash ? await this.replay(userId, key, requestHash) : null;
      if (replay) return replay;
      throw error;
    };

    const deadline = Date.now() + MOVEMENT_DEADLINE_MS;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (attempt > 0) await backoff(attempt);
      if (key && requestHash) {
        const replay = await this.replay(userId, key, requestHash);
        if (replay) return replay;
      }
      const balance = await (attempt === 0 && command.balanceRead
        ? command.balanceRead
        : this.repository.getBalance(userId));
      if (!balance) throw new BalanceNotFoundError();
      if (Math.abs(signed) > limitCents) return reject(limitError());
      if (signed < 0 && availableCents(balance) < -signed) {
        return reject(new InsufficientFundsError());
      }

      // Past the deadline no new write is planned; every earlier one was settled as not applied
      // (an unsettled one already ended the request with MovementOutcomeUnknownError).
      if (attempt > 0 && Date.now() >= deadline) {
        this.logger.warn(
          { user_id: userId, operation: kind, request_id: command.requestId, attempts: attempt },
          'balance busy: request deadline passed',
        );
        throw new BalanceBusyError();
      }
      const write = this.plan(kind, command, balance, limitCents, requestHash);
      const firstSentAt = Date.now();
      let outcome = await this.repository.applyMovement(write);
      if (outcome === 'unknown') outcome = await this.settle(kind, command, write, firstSentAt);
      if (outcome === 'applied') {
        this.audit(kind, command, write);
        return {
          statusCode: 201,
          body: presentMovement(kind, write.transaction, write.balanceAfter),
          replayed: false,
        };
      }
      if (outcome === 'daily_limit_exceeded') return reject(limitError());
      // balance_changed, contended, idempotency_key_exists: the next attempt re-reads everything.
    }
    this.logger.warn(
      { user_id: userId, operation: kind, request_id: command.requestId },
      'balance busy: optimistic retries exhausted',
    );
    throw new BalanceBusyError();
  }

  /**
   * The store did not say whether `write` landed (an SDK retry of it met
   * TransactionInProgressException, a timeout, a lost connection, a 5xx): it may have landed or may
   * still land, so planning a new write could move the money twice. Only this exact write (same
   * transaction id, same ClientRequestToken) is resent until the store settles it: `applied`, or a
   * cancellation that proves it did not land. Any error on a resend says nothing about the earlier
   * sends, so it never ends the loop; one that means our request is wrong is logged once as a bug.
   * Unsettled within the budget: 503, nothing new written.
   */
  private async settle(
    kind: MovementKind,
    command: MovementCommand,
    write: MovementWrite,
    firstSentAt: number,
  ): Promise<Exclude<MovementOutcome, 'unknown'>> {
    const deadline = firstSentAt + SETTLE_BUDGET_MS;
    let bugLogged = false;
    for (let resend = 1; resend <= SETTLE_RESENDS && Date.now() < deadline; resend++) {
      await settleBackoff(resend);
      if (Date.now() >= deadline) break;
      try {
        const outcome = await this.repository.applyMovement(write);
        // A conflict cancels the resend before its conditions are checked: it proves nothing yet.
        if (outcome !== 'unknown' && outcome !== 'contended') return outcome;
      } catch (err) {
        // Whatever this resend met, it says nothing about the earlier sends: keep settling.
        const bug = !(err instanceof ServiceUnavailableError) || requestBug(err) !== undefined;
        if (bug && !bugLogged) {
          bugLogged = true;
          this.logger.error(
            {
              user_id: command.userId,
              operation: kind,
              transaction_id: write.transaction.transactionId,
              request_id: command.requestId,
              error: requestBug(err) ?? (err as { name?: unknown } | null)?.name,
              err,
            },
            'money movement resend rejected as a bad request (a bug): still settling the write',
          );
        }
      }
    }
    this.logger.error(
      {
        user_id: command.userId,
        operation: kind,
        transaction_id: write.transaction.transactionId,
        request_id: command.requestId,
        idempotency_key_sent: Boolean(command.idempotencyKey),
      },
      'money movement outcome unknown: resending the same write did not settle it',
    );
    throw new MovementOutcomeUnknownError();
  }

  /** The stored response for this key, or 422 when the key was used for a different request. */
  private async replay(
    userId: string,
    key: string,
    requestHash: string,
  ): Promise<MovementResult | null> {
    const record = await this.repository.findIdempotencyRecord(userId, key);
    if (!record) return null;
    if (record.requestHash !== requestHash) throw new IdempotencyKeyReusedError();
    return {
      statusCode: record.response.statusCode,
      body: JSON.parse(record.response.body) as MovementResponse,
      replayed: true,
    };
  }

  private plan(
    kind: MovementKind,
    command: MovementCommand,
    balance: Balance,
    limitCents: number,
    requestHash: string | undefined,
  ): MovementWrite {
    // The clock decides the UTC day of the daily-limit counter (and the movement's timestamps).
    const now = new Date(this.clock.now()).toISOString();
    const signed = signedCents(kind, command.amountCents);
    const balanceAfter: Balance = {
      ...balance,
      currentCents: balance.currentCents + signed,
      version: balance.version + 1,
      updatedAt: now,
    };
    const transaction: LedgerTransaction = {
      transactionId: this.newId(),
      userId: command.userId,
      type: kind,
      amountCents: signed,
      status: 'completed',
      description: command.description,
      referenceId: null,
      balanceAfterCents: balanceAfter.currentCents,
      createdAt: now,
      updatedAt: now,
    };
    const body = presentMovement(kind, transaction, balanceAfter);
    return {
      kind,
      amountCents: Math.abs(signed),
      expectedVersion: balance.version,
      balanceAfter,
      transaction,
      requestId: command.requestId,
      dailyLimit: kind === 'adjustment' ? undefined : { day: now.slice(0, 10), limitCents },
      idempotency:
        command.idempotencyKey && requestHash
          ? {
              key: command.idempotencyKey,
              requestHash,
              response: { statusCode: 201, body: JSON.stringify(body) },
              ttlSeconds: IDEMPOTENCY_TTL_SECONDS,
            }
          : undefined,
    };
  }

  /** One audit event per money movement. */
  private audit(kind: MovementKind, command: MovementCommand, write: MovementWrite): void {
    this.logger.info(
      {
        event: 'balance.money_movement',
        operation: kind,
        user_id: command.userId,
        amount: formatCents(write.transaction.amountCents),
        transaction_id: write.transaction.transactionId,
        balance_after: formatCents(write.balanceAfter.currentCents),
        request_id: command.requestId,
        actor_id: command.actor?.userId,
        actor_role: command.actor?.role,
        idempotency_key_sent: Boolean(command.idempotencyKey),
      },
      `audit: ${kind} ${formatCents(command.amountCents)} USD`,
    );
  }
}

/** The signed change of the balance: a withdrawal debits; an adjustment carries its own sign. */
function signedCents(kind: MovementKind, amountCents: number): number {
  return kind === 'withdraw' ? -amountCents : amountCents;
}
