import { useTestTable } from '../../database/testing/contract-fixture';
import { DynamoLoginAttemptRepository } from './dynamo-login-attempt.repository';
import { describeLoginAttemptRepositoryContract } from './login-attempt.repository.contract';

const db = useTestTable('login_attempt_contract');

describeLoginAttemptRepositoryContract('DynamoDB adapter (DynamoDB Local)', async () => ({
  repo: new DynamoLoginAttemptRepository(db.table.doc, db.table.config),
  cleanup: async () => {},
}));
