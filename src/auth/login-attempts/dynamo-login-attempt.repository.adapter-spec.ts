import { openTestTable, TestTable } from '../../database/testing/test-table';
import { DynamoLoginAttemptRepository } from './dynamo-login-attempt.repository';
import { describeLoginAttemptRepositoryContract } from './login-attempt.repository.contract';

let table: TestTable;
beforeAll(async () => {
  table = await openTestTable('login_attempt_contract');
});
afterAll(() => table.drop());

describeLoginAttemptRepositoryContract('DynamoDB adapter (DynamoDB Local)', async () => ({
  repo: new DynamoLoginAttemptRepository(table.doc, table.config),
  cleanup: async () => {},
}));
