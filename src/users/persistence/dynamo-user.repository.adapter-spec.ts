import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoSessionRepository } from '../../auth/sessions/dynamo-session.repository';
import { ServiceUnavailableError } from '../../common/errors';
import { createDynamoDbClient } from '../../database/dynamodb.client';
import { ItemKey, keys } from '../../database/keys';
import { useTestTable } from '../../database/testing/contract-fixture';
import { ManualClock } from '../../database/testing/manual-clock';
import { spyOnSend } from '../../database/testing/send-spy';
import { newUser } from '../../database/testing/persistence-fixtures';
import { ConcurrentUpdateError } from '../users.errors';
import { DynamoUserRepository } from './dynamo-user.repository';
import { describeUserRepositoryContract } from './user.repository.contract';

const db = useTestTable('user_contract');

describeUserRepositoryContract('DynamoDB adapter (DynamoDB Local)', async () => ({
  repo: new DynamoUserRepository(db.table.client, db.table.doc, db.table.config),
  sessions: new DynamoSessionRepository(db.table.doc, db.table.config),
  cleanup: async () => {},
}));

/** What only the adapter can get wrong: the stored items, legacy items, errors, its round trips. */
describe('DynamoUserRepository beyond the contract (DynamoDB Local)', () => {
  const clock = new ManualClock();
  const repo = () => new DynamoUserRepository(db.table.client, db.table.doc, db.table.config);
  const raw = async (key: ItemKey) =>
    (
      await db.table.doc.send(
        new GetCommand({ TableName: db.table.config.dynamodb.tableName, Key: key }),
      )
    ).Item;

  it('stores the username and e-mail guards as their entities, and the guard of a new e-mail', async () => {
    const user = newUser(clock);
    await repo().register(user);
    const guard = { user_id: user.userId, created_at: user.createdAt };
    await expect(raw(keys.usernameGuard(user.username))).resolves.toEqual({
      ...keys.usernameGuard(user.username),
      entity: 'username_guard',
      ...guard,
    });
    await expect(raw(keys.emailGuard(user.email))).resolves.toEqual({
      ...keys.emailGuard(user.email),
      entity: 'email_guard',
      ...guard,
    });
    const email = `moved_${user.email}`;
    await repo().updateProfile(user, { email }, '2026-01-02T00:00:00.000Z');
    await expect(raw(keys.emailGuard(email))).resolves.toEqual({
      ...keys.emailGuard(email),
      entity: 'email_guard',
      user_id: user.userId,
      created_at: '2026-01-02T00:00:00.000Z',
    });
    await expect(raw(keys.emailGuard(user.email))).resolves.toBeUndefined();
  });

  describe('a user item written before credential_version existed', () => {
    async function legacyUser() {
      const user = newUser(clock);
      await repo().register(user);
      await db.table.doc.send(
        new UpdateCommand({
          TableName: db.table.config.dynamodb.tableName,
          Key: keys.user(user.userId),
          UpdateExpression: 'REMOVE credential_version',
        }),
      );
      return user;
    }

    it('is at version 0: a change expecting 0 applies and writes version 1', async () => {
      const user = await legacyUser();
      await repo().changePassword(user.userId, 0, 'hash-2', '2026-01-02T00:00:00.000Z', null);
      await expect(raw(keys.user(user.userId))).resolves.toMatchObject({
        password_hash: 'hash-2',
        credential_version: 1,
      });
    });

    it('refuses a change expecting version 1 and writes nothing', async () => {
      const user = await legacyUser();
      const before = await raw(keys.user(user.userId));
      await expect(
        repo().changePassword(user.userId, 1, 'hash-2', '2026-01-02T00:00:00.000Z', null),
      ).rejects.toBeInstanceOf(ConcurrentUpdateError);
      await expect(raw(keys.user(user.userId))).resolves.toEqual(before);
    });
  });

  it('answers 503 for a store that fails, never "user not found" or a quiet "not rehashed"', async () => {
    const missing = {
      ...db.table.config,
      dynamodb: {
        ...db.table.config.dynamodb,
        tableName: `${db.table.config.dynamodb.tableName}_gone`,
      },
    };
    const broken = new DynamoUserRepository(db.table.client, db.table.doc, missing);
    const user = newUser(clock);
    const now = '2026-01-02T00:00:00.000Z';
    await expect(broken.updateProfile(user, { firstName: 'X' }, now)).rejects.toBeInstanceOf(
      ServiceUnavailableError,
    );
    await expect(broken.setRole(user.userId, 'admin', now)).rejects.toBeInstanceOf(
      ServiceUnavailableError,
    );
    await expect(
      broken.rehashPassword(user.userId, user.passwordHash, 'rehashed', now),
    ).rejects.toBeInstanceOf(ServiceUnavailableError);
  });

  it('retries an e-mail change that met a transaction conflict, instead of answering 409', async () => {
    const user = newUser(clock);
    await repo().register(user);
    const { doc, sent } = spyOnSend(db.table.doc, (_, name) => {
      if (name === 'TransactWriteCommand' && sent.length === 1) {
        throw new TransactionCanceledException({
          message: 'Transaction cancelled',
          $metadata: {},
          CancellationReasons: [
            { Code: 'TransactionConflict' },
            { Code: 'None' },
            { Code: 'None' },
          ],
        });
      }
    });
    const adapter = new DynamoUserRepository(db.table.client, doc, db.table.config);
    const email = `retried_${user.email}`;
    await expect(
      adapter.updateProfile(user, { email }, '2026-01-02T00:00:00.000Z'),
    ).resolves.toMatchObject({ userId: user.userId, email });
    expect(sent).toEqual(['TransactWriteCommand', 'TransactWriteCommand']);
  });

  it('reads and updates through the model without describing or creating the table', async () => {
    const client = createDynamoDbClient(db.table.config);
    const commands: string[] = [];
    client.middlewareStack.add(
      (next, context) => (args) => {
        commands.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize', name: 'recordCommands' },
    );
    try {
      const user = newUser(clock);
      await repo().register(user);
      const adapter = new DynamoUserRepository(client, db.table.doc, db.table.config);
      await expect(adapter.findById(user.userId)).resolves.toEqual(user);
      await adapter.updateProfile(user, { firstName: 'Counted' }, '2026-01-02T00:00:00.000Z');
      expect(commands).toEqual(['GetItemCommand', 'UpdateItemCommand']);
    } finally {
      client.destroy();
    }
  });
});
