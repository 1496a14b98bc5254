import { describeBalanceRepositoryContract } from './balance.repository.contract';
import { InMemoryBalanceRepository } from './in-memory-balance.repository';

describeBalanceRepositoryContract('in-memory fake', async (clock) => {
  const repo = new InMemoryBalanceRepository(clock.nowMs);
  return {
    repo,
    createBalance: async (userId) => repo.seed(userId),
    putOrphanTransaction: async (tx) => repo.addTransaction(tx),
    cleanup: async () => {},
  };
});
