import type { LedgerTransaction } from '../domain/ledger';
import { InMemoryBalanceRepository } from '../persistence/in-memory-balance.repository';
import type { OrderLedgerRepository } from '../persistence/order-ledger.repository';
import { ReconcileService, SNAPSHOT_ATTEMPTS } from './reconcile.service';

const tx = (userId: string, id: string, amountCents: number): LedgerTransaction => ({
  transactionId: id,
  userId,
  type: amountCents > 0 ? 'deposit' : 'withdraw',
  amountCents,
  status: 'completed',
  description: null,
  referenceId: null,
  balanceAfterCents: 0,
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-01T00:00:00.000Z',
});

describe('ReconcileService', () => {
  function setup() {
    const repository = new InMemoryBalanceRepository();
    repository.seed('clean', 700);
    repository.addTransaction(tx('clean', 'A1', 1000));
    repository.addTransaction(tx('clean', 'A2', -300));
    repository.seed('drifted', 501);
    repository.addTransaction(tx('drifted', 'B1', 500));
    repository.addTransaction(tx('orphan', 'C1', 100));
    const noHoldings = {
      listAllHoldings: () => Promise.resolve([]),
    } as unknown as OrderLedgerRepository;
    return { repository, service: new ReconcileService(repository, noHoldings) };
  }

  it('checks every user with a balance or a transaction and lists only the mismatched ones', async () => {
    const { service } = setup();
    const summary = await service.reconcileAll();
    expect(summary).toMatchObject({ ok: false, users_checked: 3, users_mismatched: 2 });
    expect(summary.mismatched.map((r) => [r.user_id, r.mismatches.map((m) => m.code)])).toEqual([
      ['drifted', ['current_balance_mismatch']],
      ['orphan', ['balance_missing']],
    ]);
  });

  it('reconciles one user, and 404s a user with no ledger at all', async () => {
    const { service } = setup();
    expect((await service.reconcileUserOrFail('clean')).ok).toBe(true);
    await expect(service.reconcileUserOrFail('nobody')).rejects.toMatchObject({ status: 404 });
  });

  it('re-reads until the balance did not change while its transactions were read', async () => {
    const { repository, service } = setup();
    let reads = 0;
    const get = repository.getBalance.bind(repository);
    repository.getBalance = async (userId) => {
      reads++;
      if (reads === 2) {
        // A deposit lands between the first balance read and the transaction query.
        repository.addTransaction(tx('clean', 'A3', 50));
        const b = (await get(userId))!;
        repository.balances.set(userId, {
          ...b,
          currentCents: b.currentCents + 50,
          version: b.version + 1,
        });
      }
      return get(userId);
    };
    // Reads 1 (before) and 2 (after) straddle that deposit, so the snapshot is taken again; reads
    // 3 and 4 agree, and that is the last snapshot taken.
    const report = await service.reconcileUserOrFail('clean');
    expect(report.ok).toBe(true);
    expect(reads).toBe(4);
  });

  it('says ok when every user reconciles', async () => {
    const { repository, service } = setup();
    repository.balances.delete('drifted');
    repository.transactions.delete('drifted');
    repository.transactions.delete('orphan');
    await expect(service.reconcileAll()).resolves.toEqual({
      ok: true,
      users_checked: 1,
      users_mismatched: 0,
      mismatched: [],
    });
  });

  it(`gives up re-reading after ${SNAPSHOT_ATTEMPTS} changing snapshots and reports the last one`, async () => {
    const { repository, service } = setup();
    let reads = 0;
    const get = repository.getBalance.bind(repository);
    repository.getBalance = async (userId) => {
      reads++;
      const b = (await get(userId))!;
      // Every read sees a new version: a balance under constant writes.
      repository.balances.set(userId, { ...b, version: b.version + 1 });
      return b;
    };
    const report = await service.reconcileUserOrFail('clean');
    expect(reads).toBe(2 * SNAPSHOT_ATTEMPTS);
    expect(report.stored?.version).toBe(2 * SNAPSHOT_ATTEMPTS - 1);
  });
});
