import { randomUUID } from 'node:crypto';
import { monotonicFactory } from 'ulid';
import { useContractFixture } from '../../database/testing/contract-fixture';
import type { ManualClock } from '../../database/testing/manual-clock';
import type { Balance, LedgerTransaction, MovementKind } from '../domain/ledger';
import type { BalanceRepository, MovementWrite } from './balance.repository';

export interface BalanceRepositoryFixture {
  repo: BalanceRepository;
  /** Stores the zero balance registration writes for a new user. */
  createBalance(userId: string): Promise<void>;
  /** Stores a transaction item with no balance item (what reconciliation must still find). */
  putOrphanTransaction(tx: LedgerTransaction): Promise<void>;
  cleanup(): Promise<void>;
}

const DAY_MS = 86400_000;
const LIMIT = 1_000_000;

/**
 * The rules every BalanceRepository must keep, run against the DynamoDB adapter and the in-memory
 * fake alike: one all-or-nothing movement pinned to the version read, funds, daily limits per UTC
 * day, idempotency records that expire, resends, paging. Writes carry the clock's time; the
 * idempotency read takes it from the clock the repository was built with.
 */
export function describeBalanceRepositoryContract(
  name: string,
  makeRepo: (clock: ManualClock) => Promise<BalanceRepositoryFixture>,
): void {
  describe(`BalanceRepository contract: ${name}`, () => {
    const ctx = useContractFixture(makeRepo);
    let clock: ManualClock;
    let fixture: BalanceRepositoryFixture;
    let repo: BalanceRepository;
    beforeEach(() => {
      ({ clock, fixture } = ctx);
      repo = fixture.repo;
    });
    const newId = monotonicFactory();

    async function newAccount(): Promise<string> {
      const userId = randomUUID();
      await fixture.createBalance(userId);
      return userId;
    }

    function movement(
      balance: Balance,
      kind: MovementKind,
      amountCents: number,
      extra: Partial<MovementWrite> = {},
    ): MovementWrite {
      const now = clock.date().toISOString();
      const signed = kind === 'deposit' ? amountCents : -amountCents;
      const after: Balance = {
        ...balance,
        currentCents: balance.currentCents + signed,
        version: balance.version + 1,
        updatedAt: now,
      };
      return {
        kind,
        amountCents,
        expectedVersion: balance.version,
        balanceAfter: after,
        transaction: {
          transactionId: newId(clock.nowMs()),
          userId: balance.userId,
          type: kind,
          amountCents: signed,
          status: 'completed',
          description: null,
          referenceId: null,
          balanceAfterCents: after.currentCents,
          createdAt: now,
          updatedAt: now,
        },
        dailyLimit: { day: now.slice(0, 10), limitCents: LIMIT },
        ...extra,
      };
    }

    /** Reads the balance and applies one movement on it. */
    async function move(
      userId: string,
      kind: MovementKind,
      amountCents: number,
      extra: Partial<MovementWrite> = {},
    ) {
      const write = movement((await repo.getBalance(userId))!, kind, amountCents, extra);
      return { write, outcome: await repo.applyMovement(write) };
    }

    async function expectUnchanged(userId: string, balance: Balance, txCount: number) {
      await expect(repo.getBalance(userId)).resolves.toEqual(balance);
      await expect(repo.listAllTransactions(userId)).resolves.toHaveLength(txCount);
    }

    const idempotency = (key: string, requestHash = 'h1', ttlSeconds = 3600) => ({
      key,
      requestHash,
      response: { statusCode: 201, body: `{"hash":"${requestHash}"}` },
      ttlSeconds,
    });

    describe('movements', () => {
      it('has no balance for an unknown user and a zero one after registration', async () => {
        await expect(repo.getBalance(randomUUID())).resolves.toBeNull();
        const userId = await newAccount();
        await expect(repo.getBalance(userId)).resolves.toMatchObject({
          userId,
          currentCents: 0,
          heldCents: 0,
          version: 0,
        });
      });

      it('applies balance and transaction together; resending the same write changes nothing', async () => {
        const userId = await newAccount();
        const { write, outcome } = await move(userId, 'deposit', 500);
        expect(outcome).toBe('applied');
        await expect(repo.applyMovement(write)).resolves.toBe('applied');
        await expect(repo.getBalance(userId)).resolves.toEqual(write.balanceAfter);
        await expect(repo.listAllTransactions(userId)).resolves.toEqual([write.transaction]);
      });

      it('refuses a write planned on a stale version and writes nothing', async () => {
        const userId = await newAccount();
        const start = (await repo.getBalance(userId))!;
        expect((await move(userId, 'deposit', 100)).outcome).toBe('applied');
        const current = (await repo.getBalance(userId))!;
        await expect(repo.applyMovement(movement(start, 'deposit', 100))).resolves.toBe(
          'balance_changed',
        );
        await expectUnchanged(userId, current, 1);
      });

      it('lets a withdrawal take exactly the funds, and refuses one cent more even on the current version', async () => {
        const userId = await newAccount();
        await move(userId, 'deposit', 300);
        const funded = (await repo.getBalance(userId))!;
        await expect(repo.applyMovement(movement(funded, 'withdraw', 301))).resolves.toBe(
          'balance_changed',
        );
        await expectUnchanged(userId, funded, 1);
        expect((await move(userId, 'withdraw', 300)).outcome).toBe('applied');
        await expect(repo.getBalance(userId)).resolves.toMatchObject({ currentCents: 0 });
      });

      it('applies exactly one of several writes racing from the same version', async () => {
        const userId = await newAccount();
        const start = (await repo.getBalance(userId))!;
        const outcomes = await Promise.all(
          [1, 2, 3, 4].map((cents) => repo.applyMovement(movement(start, 'deposit', cents))),
        );
        expect(outcomes.filter((o) => o === 'applied')).toHaveLength(1);
        for (const o of outcomes.filter((o) => o !== 'applied')) {
          expect(['balance_changed', 'contended']).toContain(o);
        }
        const after = (await repo.getBalance(userId))!;
        expect(after.version).toBe(1);
        const txs = await repo.listAllTransactions(userId);
        expect(txs).toHaveLength(1);
        expect(after.currentCents).toBe(txs[0].amountCents);
      });
    });

    describe('daily limits', () => {
      const limited = (limitCents: number) => ({
        dailyLimit: { day: clock.date().toISOString().slice(0, 10), limitCents },
      });

      it('allows movements up to exactly the limit and refuses one cent more, writing nothing', async () => {
        const userId = await newAccount();
        expect((await move(userId, 'deposit', 600, limited(1000))).outcome).toBe('applied');
        expect((await move(userId, 'deposit', 400, limited(1000))).outcome).toBe('applied');
        const atLimit = (await repo.getBalance(userId))!;
        expect((await move(userId, 'deposit', 1, limited(1000))).outcome).toBe(
          'daily_limit_exceeded',
        );
        await expectUnchanged(userId, atLimit, 2);
      });

      it('counts deposits and withdrawals separately', async () => {
        const userId = await newAccount();
        expect((await move(userId, 'deposit', 1000, limited(1000))).outcome).toBe('applied');
        expect((await move(userId, 'withdraw', 1000, limited(1000))).outcome).toBe('applied');
        expect((await move(userId, 'withdraw', 1, limited(1000))).outcome).toBe(
          'daily_limit_exceeded',
        );
      });

      it('starts a fresh allowance at midnight UTC, by the clock', async () => {
        const userId = await newAccount();
        const nextMidnight = Math.ceil((clock.nowMs() + 1) / DAY_MS) * DAY_MS;
        clock.set(nextMidnight - 1000);
        expect((await move(userId, 'deposit', 1000, limited(1000))).outcome).toBe('applied');
        clock.set(nextMidnight - 1);
        expect((await move(userId, 'deposit', 1, limited(1000))).outcome).toBe(
          'daily_limit_exceeded',
        );
        clock.set(nextMidnight);
        expect((await move(userId, 'deposit', 1000, limited(1000))).outcome).toBe('applied');
        expect((await move(userId, 'deposit', 1, limited(1000))).outcome).toBe(
          'daily_limit_exceeded',
        );
        await expect(repo.getBalance(userId)).resolves.toMatchObject({ currentCents: 2000 });
      });
    });

    describe('idempotency records', () => {
      it('stores the record with the movement; a second write with the key lands nothing', async () => {
        const userId = await newAccount();
        const first = await move(userId, 'deposit', 5, { idempotency: idempotency('k1') });
        expect(first.outcome).toBe('applied');
        await expect(repo.findIdempotencyRecord(userId, 'k1')).resolves.toEqual({
          key: 'k1',
          requestHash: 'h1',
          response: { statusCode: 201, body: '{"hash":"h1"}' },
          transactionId: first.write.transaction.transactionId,
        });
        const current = (await repo.getBalance(userId))!;
        const again = await move(userId, 'deposit', 5, { idempotency: idempotency('k1', 'h2') });
        expect(again.outcome).toBe('idempotency_key_exists');
        await expectUnchanged(userId, current, 1);
        await expect(repo.findIdempotencyRecord(randomUUID(), 'k1')).resolves.toBeNull();
      });

      it('keeps a record live until its expiry, then treats it as absent and lets the key be reused', async () => {
        const userId = await newAccount();
        clock.set(Math.ceil(clock.nowMs() / 1000) * 1000); // on a whole second: expiry is exact
        await move(userId, 'deposit', 5, { idempotency: idempotency('k2', 'h1', 60) });
        clock.advanceSeconds(59);
        await expect(repo.findIdempotencyRecord(userId, 'k2')).resolves.toMatchObject({
          requestHash: 'h1',
        });
        expect(
          (await move(userId, 'deposit', 5, { idempotency: idempotency('k2', 'h2') })).outcome,
        ).toBe('idempotency_key_exists');
        clock.advanceSeconds(1);
        await expect(repo.findIdempotencyRecord(userId, 'k2')).resolves.toBeNull();
        const reused = await move(userId, 'deposit', 7, { idempotency: idempotency('k2', 'h3') });
        expect(reused.outcome).toBe('applied');
        await expect(repo.findIdempotencyRecord(userId, 'k2')).resolves.toMatchObject({
          requestHash: 'h3',
          transactionId: reused.write.transaction.transactionId,
        });
      });
    });

    describe('reads', () => {
      it('pages newest first with filters across filtered-out items, and honours skip', async () => {
        const userId = await newAccount();
        for (let i = 0; i < 12; i++) {
          clock.advance(1);
          expect((await move(userId, i % 4 === 3 ? 'withdraw' : 'deposit', 10)).outcome).toBe(
            'applied',
          );
        }
        const all = await repo.listTransactions(userId, { limit: 100 });
        expect(all.hasMore).toBe(false);
        const ids = all.transactions.map((t) => t.transactionId);
        expect(ids).toEqual([...ids].sort().reverse());
        const withdrawals = await repo.listTransactions(userId, { limit: 2, type: 'withdraw' });
        expect(withdrawals.transactions.map((t) => t.type)).toEqual(['withdraw', 'withdraw']);
        expect(withdrawals.hasMore).toBe(true);
        const rest = await repo.listTransactions(userId, {
          limit: 5,
          type: 'withdraw',
          after: withdrawals.transactions[1].transactionId,
        });
        expect(rest.transactions).toHaveLength(1);
        expect(rest.hasMore).toBe(false);
        // Exactly a page's worth is one page with nothing more.
        const exact = await repo.listTransactions(userId, { limit: 12 });
        expect(exact).toEqual({ transactions: all.transactions, hasMore: false });
        // Both filters at once: each must hold.
        const both = await repo.listTransactions(userId, {
          limit: 100,
          type: 'withdraw',
          status: 'completed',
        });
        expect(both.transactions.map((t) => [t.type, t.status])).toEqual(
          Array(3).fill(['withdraw', 'completed']),
        );
        const completed = await repo.listTransactions(userId, { limit: 100, status: 'completed' });
        expect(completed.transactions).toHaveLength(12);
        // The status filter really filters: none of these movements is pending.
        const pending = await repo.listTransactions(userId, { limit: 100, status: 'pending' });
        expect(pending).toEqual({ transactions: [], hasMore: false });
        const skipped = await repo.listTransactions(userId, { limit: 3, skip: 4 });
        expect(skipped.transactions).toEqual(all.transactions.slice(4, 7));
        expect(skipped.hasMore).toBe(true);
      });

      it('lists every user with a balance or a transaction, orphans and untouched balances included, once each', async () => {
        const userId = await newAccount();
        await move(userId, 'deposit', 1);
        await move(userId, 'deposit', 1);
        const orphan = randomUUID();
        const { transaction } = movement(
          { userId: orphan, currentCents: 0, heldCents: 0, version: 0, updatedAt: '' },
          'deposit',
          1,
        );
        await fixture.putOrphanTransaction(transaction);
        const balanceOnly = await newAccount();
        const ids: string[] = [];
        for await (const id of repo.listLedgerUserIds()) ids.push(id);
        expect(ids).toEqual(expect.arrayContaining([userId, orphan, balanceOnly]));
        expect(new Set(ids).size).toBe(ids.length);
      });
    });
  });
}
