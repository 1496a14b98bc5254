import { BatchWriteCommand, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ServiceUnavailableError } from '../../common/errors';
import { ItemKey, keys } from '../../database/keys';
import { ManualClock } from '../../database/testing/manual-clock';
import { newSession, newUser } from '../../database/testing/persistence-fixtures';
import { networkOutage } from '../../database/testing/network-outage';
import { spyOnSend } from '../../database/testing/send-spy';
import { useTestTable } from '../../database/testing/contract-fixture';
import { DynamoUserRepository } from '../../users/persistence/dynamo-user.repository';
import { DynamoSessionRepository } from './dynamo-session.repository';
import type { Session, SessionRotation } from './session';
import { describeSessionRepositoryContract } from './session.repository.contract';

const db = useTestTable('session_contract');

describeSessionRepositoryContract('DynamoDB adapter (DynamoDB Local)', async () => ({
  repo: new DynamoSessionRepository(db.table.doc, db.table.config),
  users: new DynamoUserRepository(db.table.client, db.table.doc, db.table.config),
  cleanup: async () => {},
}));

/** What only the adapter can get wrong: stored attributes, older items, paging, batch retries. */
describe('DynamoSessionRepository beyond the contract (DynamoDB Local)', () => {
  const clock = new ManualClock();
  const table = () => db.table.config.dynamodb.tableName;
  const raw = async (key: ItemKey) =>
    (await db.table.doc.send(new GetCommand({ TableName: table(), Key: key }))).Item;
  const user = () => newUser(clock);
  /** A rotation of `session` to the refresh hash `next-hash`, without client details. */
  const bare = (session: Session): SessionRotation => ({
    refreshHash: 'next-hash',
    usedRefreshHashes: [session.refreshHash],
    lastUsedAt: session.lastUsedAt,
    expiresAt: session.expiresAt,
    ip: null,
    userAgent: null,
  });

  it('stores no client attributes for a rotation without them', async () => {
    const repo = new DynamoSessionRepository(db.table.doc, db.table.config);
    const owner = user();
    const session = newSession(clock, owner);
    await repo.create(session);
    await repo.rotate(owner.userId, session.sessionId, session.refreshHash, bare(session));
    const item = await raw(keys.session(owner.userId, session.sessionId));
    expect(item).toMatchObject({ refresh_hash: 'next-hash' });
    expect(item).not.toHaveProperty('ip');
    expect(item).not.toHaveProperty('user_agent');
  });

  it('passes an outage during a rotation on, instead of reading it as a session gone', async () => {
    const owner = user();
    const session = newSession(clock, owner);
    await new DynamoSessionRepository(db.table.doc, db.table.config).create(session);
    const { doc } = spyOnSend(db.table.doc, (_command, name) => {
      if (name === 'UpdateCommand') throw networkOutage();
      return undefined;
    });
    const repo = new DynamoSessionRepository(doc, db.table.config);
    await expect(
      repo.rotate(owner.userId, session.sessionId, session.refreshHash, bare(session)),
    ).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(await raw(keys.session(owner.userId, session.sessionId))).toMatchObject({
      refresh_hash: session.refreshHash,
    });
  });

  it('reads an item without a used-hash list (written before it existed) as none used', async () => {
    const repo = new DynamoSessionRepository(db.table.doc, db.table.config);
    const owner = user();
    const session = newSession(clock, owner, undefined, { usedRefreshHashes: ['spent'] });
    await repo.create(session);
    await db.table.doc.send(
      new UpdateCommand({
        TableName: table(),
        Key: keys.session(owner.userId, session.sessionId),
        UpdateExpression: 'REMOVE used_refresh_hashes',
      }),
    );
    await expect(repo.listByUser(owner.userId)).resolves.toEqual([
      { ...session, usedRefreshHashes: [] },
    ]);
  });

  it('lists every session across pages of a query', async () => {
    const repo = new DynamoSessionRepository(db.table.doc, db.table.config);
    const owner = user();
    const sessions = [];
    for (let i = 0; i < 3; i++) {
      clock.advance(1);
      sessions.push(newSession(clock, owner));
      await repo.create(sessions[i]);
    }
    // One item per page: the adapter must follow LastEvaluatedKey to the end.
    const { doc, sent } = spyOnSend(db.table.doc, (command, name, send) =>
      name === 'QueryCommand'
        ? send(new QueryCommand({ ...(command as QueryCommand).input, Limit: 1 }))
        : undefined,
    );
    const paged = new DynamoSessionRepository(doc, db.table.config);
    await expect(paged.listByUser(owner.userId)).resolves.toEqual(sessions);
    expect(sent.length).toBeGreaterThanOrEqual(3);
  });

  it('retries the deletes DynamoDB left unprocessed', async () => {
    const owner = user();
    const repo = new DynamoSessionRepository(db.table.doc, db.table.config);
    for (let i = 0; i < 2; i++) await repo.create(newSession(clock, owner));
    let batches = 0;
    const { doc, sent } = spyOnSend(db.table.doc, (command, name) => {
      if (name !== 'BatchWriteCommand' || ++batches > 1) return undefined;
      // The first batch: nothing done, everything handed back.
      return { UnprocessedItems: (command as BatchWriteCommand).input.RequestItems };
    });
    const flaky = new DynamoSessionRepository(doc, db.table.config);
    await expect(flaky.revokeAllExcept(owner.userId)).resolves.toBe(2);
    expect(sent).toEqual(['QueryCommand', 'BatchWriteCommand', 'BatchWriteCommand']);
    await expect(repo.listByUser(owner.userId)).resolves.toEqual([]);
  });

  it('gives up with 503 after three batches that processed nothing, deleting nothing', async () => {
    const owner = user();
    const repo = new DynamoSessionRepository(db.table.doc, db.table.config);
    const session = newSession(clock, owner);
    await repo.create(session);
    const { doc, sent } = spyOnSend(db.table.doc, (command, name) =>
      name === 'BatchWriteCommand'
        ? { UnprocessedItems: (command as BatchWriteCommand).input.RequestItems }
        : undefined,
    );
    const stuck = new DynamoSessionRepository(doc, db.table.config);
    const error = await stuck.revokeAllExcept(owner.userId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect((error as Error).message).toBe('Could not revoke every session; retry shortly.');
    expect(sent).toEqual([
      'QueryCommand',
      'BatchWriteCommand',
      'BatchWriteCommand',
      'BatchWriteCommand',
    ]);
    await expect(repo.listByUser(owner.userId)).resolves.toEqual([session]);
  });
});
