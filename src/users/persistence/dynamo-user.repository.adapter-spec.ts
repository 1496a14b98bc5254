import { DynamoSessionRepository } from '../../auth/sessions/dynamo-session.repository';
import { useTestTable } from '../../database/testing/contract-fixture';
import { DynamoUserRepository } from './dynamo-user.repository';
import { describeUserRepositoryContract } from './user.repository.contract';

const db = useTestTable('user_contract');

describeUserRepositoryContract('DynamoDB adapter (DynamoDB Local)', async () => ({
  repo: new DynamoUserRepository(db.table.client, db.table.doc, db.table.config),
  sessions: new DynamoSessionRepository(db.table.doc, db.table.config),
  cleanup: async () => {},
}));
