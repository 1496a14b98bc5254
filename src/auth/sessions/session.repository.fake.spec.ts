import { InMemoryUserRepository } from '../../users/persistence/user.repository.fake';
import { InMemorySessionRepository } from './session.repository.fake';
import { describeSessionRepositoryContract } from './session.repository.contract';

describeSessionRepositoryContract('in-memory fake', async () => {
  const users = new InMemoryUserRepository();
  return { repo: new InMemorySessionRepository(users), users, cleanup: async () => {} };
});
