import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ServiceUnavailableError } from '../../common/errors';
import { keys } from '../../database/keys';
import { useTestTable } from '../../database/testing/contract-fixture';
import { spyOnSend } from '../../database/testing/send-spy';
import { DynamoLoginAttemptRepository } from './dynamo-login-attempt.repository';
import { describeLoginAttemptRepositoryContract } from './login-attempt.repository.contract';

const db = useTestTable('login_attempt_contract');

describeLoginAttemptRepositoryContract('DynamoDB adapter (DynamoDB Local)', async () => ({
  repo: new DynamoLoginAttemptRepository(db.table.doc, db.table.config),
  cleanup: async () => {},
}));

describe('DynamoLoginAttemptRepository (adapter only)', () => {
  const policy = { maxFailures: 5, windowSeconds: 900 };
  const nowMs = 1_900_000_000_000;
  const now = nowMs / 1000;
  const lost = () => Object.assign(new Error('lost'), { name: 'ConditionalCheckFailedException' });

  /** The table's client with each command kind answered by `script`; records what was sent. */
  function scripted(script: { update: () => unknown; get?: () => unknown; put?: () => unknown }) {
    const answers: Record<string, (() => unknown) | undefined> = {
      UpdateCommand: script.update,
      GetCommand: script.get,
      PutCommand: script.put,
    };
    const { doc, sent } = spyOnSend(db.table.doc, (_command, name) => {
      const answer = answers[name];
      if (!answer) throw new Error(`unexpected ${name}`);
      return answer() ?? {};
    });
    return { repo: new DynamoLoginAttemptRepository(doc, db.table.config), sent };
  }

  it('stores the count with a TTL of the window plus a one-minute margin', async () => {
    const repo = new DynamoLoginAttemptRepository(db.table.doc, db.table.config);
    await repo.registerAttempt('ttl_user', nowMs, policy);
    const out = await db.table.doc.send(
      new GetCommand({
        TableName: db.table.config.dynamodb.tableName,
        Key: keys.loginFailures('ttl_user'),
      }),
    );
    expect(out.Item).toMatchObject({
      entity: 'login_failures',
      attempts: 1,
      last_attempt_at: now,
      expires_at: now + 900 + 60,
    });
    // A failure after the window: the restarted item is the same entity, with its own TTL.
    const later = now + 901;
    await repo.registerAttempt('ttl_user', later * 1000, policy);
    const restarted = await db.table.doc.send(
      new GetCommand({
        TableName: db.table.config.dynamodb.tableName,
        Key: keys.loginFailures('ttl_user'),
      }),
    );
    expect(restarted.Item).toEqual({
      ...keys.loginFailures('ttl_user'),
      entity: 'login_failures',
      attempts: 1,
      last_attempt_at: later,
      expires_at: later + 900 + 60,
    });
  });

  it('answers 503 after 4 rounds that each lose to a restarted window, never a lockout', async () => {
    const { repo, sent } = scripted({
      update: () => {
        throw lost();
      },
      get: () => ({ Item: { attempts: 1, last_attempt_at: now, expires_at: now + 960 } }),
    });
    const error = await repo.registerAttempt('busy', nowMs, policy).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect((error as Error).message).toBe(
      'Too many concurrent login attempts for this account; retry.',
    );
    expect(sent).toEqual(Array(4).fill(['UpdateCommand', 'GetCommand']).flat());
  });

  it('passes on a store error that is not a lost condition, without reading or retrying', async () => {
    const { repo, sent } = scripted({
      update: () => {
        throw new Error('boom');
      },
    });
    await expect(repo.registerAttempt('x', nowMs, policy)).rejects.toThrow('boom');
    expect(sent).toEqual(['UpdateCommand']);
  });

  it('goes another round when its restart of a stale window loses, and counts there', async () => {
    let updates = 0;
    const { repo, sent } = scripted({
      update: () => {
        if (++updates === 1) throw lost();
        return { Attributes: { attempts: 2 } };
      },
      get: () => ({ Item: { attempts: 5, last_attempt_at: now - 901, expires_at: now + 59 } }),
      put: () => {
        throw lost();
      },
    });
    await expect(repo.registerAttempt('x', nowMs, policy)).resolves.toEqual({
      allowed: true,
      attempt: 2,
    });
    expect(sent).toEqual(['UpdateCommand', 'GetCommand', 'PutCommand', 'UpdateCommand']);
  });

  it('passes on a store error from the restart', async () => {
    const { repo } = scripted({
      update: () => {
        throw lost();
      },
      get: () => ({ Item: { attempts: 5, last_attempt_at: now - 901, expires_at: now + 59 } }),
      put: () => {
        throw new Error('put failed');
      },
    });
    await expect(repo.registerAttempt('x', nowMs, policy)).rejects.toThrow('put failed');
  });
});
