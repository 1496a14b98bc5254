import { InMemorySessionRepository } from '../../auth/sessions/session.repository.fake';
import { InMemoryUserRepository } from './user.repository.fake';
import { describeUserRepositoryContract } from './user.repository.contract';

describeUserRepositoryContract('in-memory fake', async () => {
  const repo = new InMemoryUserRepository();
  return { repo, sessions: new InMemorySessionRepository(repo), cleanup: async () => {} };
});
