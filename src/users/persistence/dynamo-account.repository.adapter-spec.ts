import { DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { DynamoLoginAttemptRepository } from '../../auth/login-attempts/dynamo-login-attempt.repository';
import { ServiceUnavailableError } from '../../common/errors';
import { keys, outboxShard } from '../../database/keys';
import { useTestTable } from '../../database/testing/contract-fixture';
import { ManualClock } from '../../database/testing/manual-clock';
import { spyOnSend } from '../../database/testing/send-spy';
import { newUser } from '../../database/testing/persistence-fixtures';
import type { OutboxMail } from '../../mail/mail.types';
import { newEmailToken } from '../domain/email-token';
import { describeAccountRepositoryContract } from './account.repository.contract';
import { DynamoAccountRepository } from './dynamo-account.repository';
import { DynamoUserRepository } from './dynamo-user.repository';
import { networkOutage } from '../../database/testing/network-outage';

const db = useTestTable('account_contract');
const table = () => db.table.config.dynamodb.tableName;
const get = async (key: { PK: string; SK: string }) =>
  (await db.table.doc.send(new GetCommand({ TableName: table(), Key: key, ConsistentRead: true })))
    .Item;

describeAccountRepositoryContract('DynamoDB adapter (DynamoDB Local)', async () => ({
  repo: new DynamoAccountRepository(db.table.doc, db.table.config),
  users: new DynamoUserRepository(db.table.client, db.table.doc, db.table.config),
  attempts: new DynamoLoginAttemptRepository(db.table.doc, db.table.config),
  outboxHas: async (mailId) => (await get(keys.outbox(outboxShard(mailId), mailId))) !== undefined,
  deleteUser: async (userId) => {
    await db.table.doc.send(new DeleteCommand({ TableName: table(), Key: keys.user(userId) }));
  },
  cleanup: async () => {},
}));

/** What only the DynamoDB items show: the attributes the domain type does not carry. */
describe('DynamoAccountRepository items (DynamoDB Local)', () => {
  let clock: ManualClock;
  let repo: DynamoAccountRepository;
  let users: DynamoUserRepository;
  beforeEach(() => {
    clock = new ManualClock();
    repo = new DynamoAccountRepository(db.table.doc, db.table.config);
    users = new DynamoUserRepository(db.table.client, db.table.doc, db.table.config);
  });

  it('records who disabled an account, why and when; enabling removes them', async () => {
    const user = newUser(clock);
    await users.register(user);
    const now = clock.date().toISOString();
    await repo.setStatus(user.userId, 'disabled', { actorId: 'admin-1', reason: 'fraud', now });
    expect(await get(keys.user(user.userId))).toMatchObject({
      status: 'disabled',
      disabled_reason: 'fraud',
      disabled_by: 'admin-1',
      disabled_at: now,
      credential_version: 1,
    });
    await repo.setStatus(user.userId, 'disabled', { actorId: 'admin-2', reason: null, now });
    expect(await get(keys.user(user.userId))).toMatchObject({
      disabled_reason: '',
      disabled_by: 'admin-2',
    });
    await repo.setStatus(user.userId, 'active', { actorId: 'admin-1', reason: null, now });
    const item = await get(keys.user(user.userId));
    expect(item).toMatchObject({ status: 'active', credential_version: 2 });
    expect(item).not.toHaveProperty('disabled_reason');
    expect(item).not.toHaveProperty('disabled_by');
    expect(item).not.toHaveProperty('disabled_at');
  });

  it('writes the notice as a pending outbox item and deletes the lockout item', async () => {
    const user = newUser(clock);
    await users.register(user);
    const { record } = newEmailToken(user.userId, 'reset', user.email, clock.date());
    await repo.issueToken({ token: record, mails: [] });
    const attempts = new DynamoLoginAttemptRepository(db.table.doc, db.table.config);
    await attempts.registerAttempt(user.username, clock.nowMs(), {
      maxFailures: 5,
      windowSeconds: 900,
    });
    expect(await get(keys.loginFailures(user.username))).toBeDefined();
    const notice: OutboxMail = {
      mailId: ulid(clock.nowMs()),
      to: user.email,
      template: 'password_changed',
      sealedParams: 'sealed',
      createdAt: clock.date().toISOString(),
    };
    const outcome = await repo.resetPassword({
      userId: user.userId,
      username: user.username,
      tokenHash: record.hash,
      expectedVersion: 0,
      passwordHash: 'new-hash',
      now: clock.date(),
      notice,
    });
    expect(outcome).toBe('reset');
    expect(await get(keys.loginFailures(user.username))).toBeUndefined();
    expect(await get(keys.outbox(outboxShard(notice.mailId), notice.mailId))).toMatchObject({
      recipient: user.email,
      template: 'password_changed',
      status: 'pending',
    });
  });

  it('resets a user item written before credential versions existed (no attribute = version 0)', async () => {
    const user = newUser(clock);
    await users.register(user);
    const { record } = newEmailToken(user.userId, 'reset', user.email, clock.date());
    await repo.issueToken({ token: record, mails: [] });
    await db.table.doc.send(
      new UpdateCommand({
        TableName: table(),
        Key: keys.user(user.userId),
        UpdateExpression: 'REMOVE credential_version',
      }),
    );
    const reset = {
      userId: user.userId,
      username: user.username,
      tokenHash: record.hash,
      expectedVersion: 1,
      passwordHash: 'new-hash',
      now: clock.date(),
      notice: {
        mailId: ulid(clock.nowMs()),
        to: user.email,
        template: 'password_changed' as const,
        sealedParams: 'sealed',
        createdAt: clock.date().toISOString(),
      },
    };
    expect(await repo.resetPassword(reset)).toBe('concurrent_update');
    expect(await repo.resetPassword({ ...reset, expectedVersion: 0 })).toBe('reset');
    expect(await get(keys.user(user.userId))).toMatchObject({ credential_version: 1 });
  });

  it('keeps the reset-request window on one item that expires with it', async () => {
    const email = `${ulid().toLowerCase()}@example.com`;
    const start = clock.nowSeconds();
    await repo.takeResetRequest(email, clock.nowMs(), 3, 3600);
    await repo.takeResetRequest(email, clock.nowMs(), 3, 3600);
    expect(await get(keys.resetRequests(email))).toMatchObject({
      entity: 'reset_requests',
      request_count: 2,
      window_ends_at: start + 3600,
      expires_at: start + 3600,
    });
  });

  it('counts a request in an open window with one write, and starts a window with two', async () => {
    const { doc, sent } = spyOnSend(db.table.doc);
    const spied = new DynamoAccountRepository(doc, db.table.config);
    const email = `${ulid().toLowerCase()}@example.com`;
    await spied.takeResetRequest(email, clock.nowMs(), 3, 3600);
    expect(sent).toEqual(['UpdateCommand', 'PutCommand']);
    sent.length = 0;
    await spied.takeResetRequest(email, clock.nowMs(), 3, 3600);
    expect(sent).toEqual(['UpdateCommand']);
  });

  it('passes on a store outage while starting a window (503), never "too many requests"', async () => {
    const { doc } = spyOnSend(db.table.doc, (_, name) => {
      if (name === 'PutCommand') throw networkOutage();
    });
    const spied = new DynamoAccountRepository(doc, db.table.config);
    const email = `${ulid().toLowerCase()}@example.com`;
    await expect(spied.takeResetRequest(email, clock.nowMs(), 3, 3600)).rejects.toBeInstanceOf(
      ServiceUnavailableError,
    );
    expect(await get(keys.resetRequests(email))).toBeUndefined();
  });

  it('answers 503 for a status change the store fails, never "user not found"', async () => {
    const { doc } = spyOnSend(db.table.doc, () => {
      throw networkOutage();
    });
    const spied = new DynamoAccountRepository(doc, db.table.config);
    const user = newUser(clock);
    await users.register(user);
    await expect(
      spied.setStatus(user.userId, 'disabled', { actorId: 'admin', reason: null, now: 'x' }),
    ).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(await get(keys.user(user.userId))).toMatchObject({ status: 'active' });
  });
});
