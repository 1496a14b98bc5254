import { InMemoryLoginAttemptRepository } from '../../auth/login-attempts/login-attempt.repository.fake';
import { describeAccountRepositoryContract } from './account.repository.contract';
import { InMemoryAccountRepository } from './account.repository.fake';
import { InMemoryUserRepository } from './user.repository.fake';

describeAccountRepositoryContract('in-memory fake', async () => {
  const users = new InMemoryUserRepository();
  const attempts = new InMemoryLoginAttemptRepository();
  const repo = new InMemoryAccountRepository(users, attempts);
  return {
    repo,
    users,
    attempts,
    outboxHas: async (mailId) => repo.mails.some((m) => m.mailId === mailId),
    deleteUser: async (userId) => {
      users.users.delete(userId);
    },
    cleanup: async () => {},
  };
});
