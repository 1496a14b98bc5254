import { DynamoSessionRepository } from '../../auth/sessions/dynamo-session.repository';
import { openTestTable, TestTable } from '../../database/testing/test-table';
import { DynamoUserRepository } from './dynamo-user.repository';
import { describeUserRepositoryContract } from './user.repository.contract';

let table: TestTable;
beforeAll(async () => {
  table = await openTestTable('user_contract');
});
afterAll(() => table.drop());

describeUserRepositoryContract('DynamoDB adapter (DynamoDB Local)', async () => ({
  repo: new DynamoUserRepository(table.client, table.doc, table.config),
  sessions: new DynamoSessionRepository(table.doc, table.config),
  cleanup: async () => {},
}));
