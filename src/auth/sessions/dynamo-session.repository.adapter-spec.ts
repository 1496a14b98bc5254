import { useTestTable } from '../../database/testing/contract-fixture';
import { DynamoUserRepository } from '../../users/persistence/dynamo-user.repository';
import { DynamoSessionRepository } from './dynamo-session.repository';
import { describeSessionRepositoryContract } from './session.repository.contract';

const db = useTestTable('session_contract');

describeSessionRepositoryContract('DynamoDB adapter (DynamoDB Local)', async () => ({
  repo: new DynamoSessionRepository(db.table.doc, db.table.config),
  users: new DynamoUserRepository(db.table.client, db.table.doc, db.table.config),
  cleanup: async () => {},
}));
