import pino from 'pino';
import { ServiceUnavailableError } from '../../common/errors';
import {
  MAX_ATTEMPTS,
  MOVEMENT_DEADLINE_MS,
  SETTLE_BUDGET_MS,
  SETTLE_RESENDS,
} from '../money-movement.service';
import { BalanceBusyError, MovementOutcomeUnknownError } from '../domain/balance.errors';
import type {
  OrderLedgerRepository,
  OrderWrite,
  OrderWriteOutcome,
} from '../persistence/order-ledger.repository';
import { runOrderWrite } from './order-write-loop';

/** A write with just what the loop reads. */
const write = (n: number) =>
  ({ token: `t${n}`, transaction: { transactionId: `TX${n}` } }) as unknown as OrderWrite;

function setup(outcomes: Array<OrderWriteOutcome | Error>) {
  const sent: OrderWrite[] = [];
  const repository = {
    applyOrderWrite: async (w: OrderWrite) => {
      sent.push(w);
      const next = outcomes.length > 1 ? outcomes.shift()! : outcomes[0];
      if (next instanceof Error) throw next;
      return next;
    },
  } as unknown as OrderLedgerRepository;
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'info', messageKey: 'message' },
    { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  const attempts: number[] = [];
  const run = () =>
    runOrderWrite(
      repository,
      logger,
      { operation: 'hold', userId: 'u1', requestId: 'req-1' },
      async (attempt) => {
        attempts.push(attempt);
        return { write: write(attempt) };
      },
      (outcome, w) => ({ outcome, token: w.token }),
    );
  return { sent, lines, attempts, run };
}

/** Runs the loop with fake timers (its backoffs and deadlines), to the end. */
async function settled<T>(promise: Promise<T>): Promise<PromiseSettledResult<T>> {
  const result = Promise.allSettled([promise]).then(([r]) => r);
  await jest.runAllTimersAsync();
  return result;
}

describe('runOrderWrite', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('finishes with the first settled outcome, without waiting before the first attempt', async () => {
    const { run, sent, attempts } = setup(['applied']);
    await expect(run()).resolves.toEqual({ outcome: 'applied', token: 't0' });
    expect(sent).toHaveLength(1);
    expect(attempts).toEqual([0]);
  });

  it('returns what decide says is done, writing nothing', async () => {
    const { sent } = setup(['applied']);
    const done = await runOrderWrite(
      {
        applyOrderWrite: () => Promise.reject(new Error('no write')),
      } as unknown as OrderLedgerRepository,
      pino({ level: 'silent' }),
      { operation: 'hold', userId: 'u1' },
      async () => ({ done: 'replayed' }),
      () => 'finished',
    );
    expect(done).toBe('replayed');
    expect(sent).toHaveLength(0);
  });

  it.each(['balance_changed', 'contended', 'order_exists'] as const)(
    'plans a new write after %s',
    async (outcome) => {
      const { run, sent, attempts } = setup([outcome, 'applied']);
      const result = await settled(run());
      expect(result).toEqual({ status: 'fulfilled', value: { outcome: 'applied', token: 't1' } });
      expect(attempts).toEqual([0, 1]);
      expect(sent.map((w) => w.token)).toEqual(['t0', 't1']);
    },
  );

  it(`gives up after ${MAX_ATTEMPTS} contended attempts: 503 and a warning`, async () => {
    const { run, sent, lines } = setup(['contended']);
    const result = await settled(run());
    expect(result.status).toBe('rejected');
    expect((result as PromiseRejectedResult).reason).toBeInstanceOf(BalanceBusyError);
    expect(sent).toHaveLength(MAX_ATTEMPTS);
    expect(lines).toContainEqual(
      expect.objectContaining({
        message: 'balance busy: optimistic retries or the request deadline ran out',
        user_id: 'u1',
        operation: 'hold',
        request_id: 'req-1',
      }),
    );
  });

  it('plans no new write once the request deadline has passed', async () => {
    const { sent, lines } = setup(['contended']);
    const decide = jest.fn(async (attempt: number) => {
      // The first attempt takes the whole deadline.
      if (attempt === 0) jest.setSystemTime(Date.now() + MOVEMENT_DEADLINE_MS);
      return { write: write(attempt) };
    });
    const result = await settled(
      runOrderWrite(
        {
          applyOrderWrite: async (w: OrderWrite) => (sent.push(w), 'contended'),
        } as unknown as OrderLedgerRepository,
        pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l)) }),
        { operation: 'sell', userId: 'u1' },
        decide,
        () => 'finished',
      ),
    );
    expect((result as PromiseRejectedResult).reason).toBeInstanceOf(BalanceBusyError);
    expect(decide).toHaveBeenCalledTimes(1);
    expect(sent).toHaveLength(1);
  });

  it('settles an unknown outcome by resending the same write, never a new one', async () => {
    const { run, sent } = setup(['unknown', 'unknown', 'applied']);
    const result = await settled(run());
    expect(result).toEqual({ status: 'fulfilled', value: { outcome: 'applied', token: 't0' } });
    expect(sent.map((w) => w.token)).toEqual(['t0', 't0', 't0']);
  });

  it('keeps resending through contention and store outages, logging only unexpected rejections', async () => {
    const rejected = new Error('ValidationException');
    const { run, sent, lines } = setup([
      'unknown',
      'contended',
      new ServiceUnavailableError('down', 1),
      rejected,
      'not_pending',
    ]);
    const result = await settled(run());
    expect(result).toEqual({ status: 'fulfilled', value: { outcome: 'not_pending', token: 't0' } });
    expect(sent.map((w) => w.token)).toEqual(['t0', 't0', 't0', 't0', 't0']);
    const errors = lines.filter((l) => l.level === 50);
    expect(errors).toEqual([
      expect.objectContaining({
        message: 'order write resend rejected',
        transaction_id: 'TX0',
        operation: 'hold',
        err: expect.objectContaining({ message: 'ValidationException' }),
      }),
    ]);
  });

  it(`answers 503 (outcome unknown) after ${SETTLE_RESENDS} resends that settle nothing`, async () => {
    const { run, sent, lines } = setup(['unknown']);
    const result = await settled(run());
    expect((result as PromiseRejectedResult).reason).toBeInstanceOf(MovementOutcomeUnknownError);
    // Every wait before a resend is at most its ceiling (25 ms doubling to 1 s: 3.6 s in all), so
    // all resends fit in the settle budget.
    expect(sent).toHaveLength(1 + SETTLE_RESENDS);
    expect(new Set(sent.map((w) => w.token))).toEqual(new Set(['t0']));
    expect(lines).toContainEqual(
      expect.objectContaining({
        message: 'order write outcome unknown: resending the same write did not settle it',
        user_id: 'u1',
        transaction_id: 'TX0',
        request_id: 'req-1',
      }),
    );
  });

  it('sends no resend once the settle budget ran out during the wait before it', async () => {
    const { sent, lines, attempts } = setup([]);
    const result = await settled(
      runOrderWrite(
        {
          applyOrderWrite: async (w: OrderWrite) => {
            sent.push(w);
            // The first send takes all but 10 ms of the budget; the wait before the first resend
            // (at least 12.5 ms) crosses it.
            if (sent.length === 1) jest.setSystemTime(Date.now() + SETTLE_BUDGET_MS - 10);
            return 'unknown';
          },
        } as unknown as OrderLedgerRepository,
        pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l)) }),
        { operation: 'hold', userId: 'u1' },
        async (attempt) => (attempts.push(attempt), { write: write(attempt) }),
        () => 'finished',
      ),
    );
    expect((result as PromiseRejectedResult).reason).toBeInstanceOf(MovementOutcomeUnknownError);
    expect(sent).toHaveLength(1);
    expect(attempts).toEqual([0]);
  });
});
