import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { startTestApp, TestApp } from './utils/test-app';
import { loginUser, registerUser } from './utils/users';

/** Two replicas on one table with different BCRYPT_COST: a login upgrades the stored hash. */
describe('bcrypt cost upgrade at login', () => {
  let oldCost: TestApp;
  let newCost: TestApp;

  beforeAll(async () => {
    oldCost = await startTestApp('rehash', { BCRYPT_COST: '4' });
    newCost = await startTestApp('rehash', { BCRYPT_COST: '5' }, oldCost.config.dynamodb.tableName);
  });
  afterAll(async () => {
    await newCost.close({ dropTable: false });
    await oldCost.close();
  });

  const storedHash = async (userId: string) => {
    const out = await oldCost.ddb.send(
      new GetItemCommand({
        TableName: oldCost.config.dynamodb.tableName,
        Key: { PK: { S: userId }, SK: { S: userId } },
        ConsistentRead: true,
      }),
    );
    return out.Item?.password_hash?.S ?? '';
  };

  it('rewrites a hash made at another cost and keeps the password working', async () => {
    const user = await registerUser(oldCost.http);
    expect(await storedHash(user.userId)).toMatch(/^\$2[aby]\$04\$/);
    await loginUser(newCost.http, user.username, user.password);
    expect(await storedHash(user.userId)).toMatch(/^\$2[aby]\$05\$/);
    await loginUser(newCost.http, user.username, user.password);
    await loginUser(oldCost.http, user.email, user.password);
  });
});
