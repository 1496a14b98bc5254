import { InMemoryLoginAttemptRepository } from './login-attempt.repository.fake';
import { describeLoginAttemptRepositoryContract } from './login-attempt.repository.contract';

describeLoginAttemptRepositoryContract('in-memory fake', async () => ({
  repo: new InMemoryLoginAttemptRepository(),
  cleanup: async () => {},
}));
