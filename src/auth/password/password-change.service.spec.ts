import { AccountLockedError, InvalidCurrentPasswordError } from '../auth.errors';
import { LoginService } from '../login.service';
import { SessionService } from '../sessions/session.service';
import { buildAuthKit, CLIENT } from '../testing/unit-kit';
import { PasswordChangeService } from './password-change.service';

describe('PasswordChangeService', () => {
  const password = 'the original passphrase';
  const next = 'a brand new passphrase';

  async function setup() {
    const kit = await buildAuthKit();
    const user = await kit.register({ username: 'jane_doe', password });
    const sessions = kit.get(SessionService);
    const mine = await sessions.start(user, CLIENT);
    const other = await sessions.start(user, CLIENT);
    const caller = {
      userId: user.userId,
      username: user.username,
      role: 'customer' as const,
      sessionId: mine.sessionId,
    };
    return { kit, user, mine, other, caller, service: kit.get(PasswordChangeService) };
  }

  it('changes the password and revokes every other session of the user', async () => {
    const { kit, user, mine, other, caller, service } = await setup();
    await expect(service.change(caller, user.userId, password, next, CLIENT)).resolves.toBe(1);
    const left = await kit.sessions.listByUser(user.userId);
    expect(left.map((s) => s.sessionId)).toEqual([mine.sessionId]);
    expect(left.map((s) => s.sessionId)).not.toContain(other.sessionId);
    await expect(kit.get(LoginService).login('jane_doe', next, CLIENT)).resolves.toHaveProperty(
      'accessToken',
    );
    await expect(kit.get(LoginService).login('jane_doe', password, CLIENT)).rejects.toMatchObject({
      status: 401,
    });
  });

  it('refuses a wrong current password (422) and locks after repeated guesses', async () => {
    const { user, caller, service } = await setup();
    for (let i = 0; i < 5; i++) {
      await expect(
        service.change(caller, user.userId, 'guess', next, CLIENT),
      ).rejects.toBeInstanceOf(InvalidCurrentPasswordError);
    }
    await expect(
      service.change(caller, user.userId, password, next, CLIENT),
    ).rejects.toBeInstanceOf(AccountLockedError);
  });

  it("revokes all sessions when an admin changes another user's password", async () => {
    const { kit, user, service } = await setup();
    const admin = {
      userId: 'admin-id',
      username: 'boss_user',
      role: 'admin' as const,
      sessionId: 'X',
    };
    await expect(service.change(admin, user.userId, password, next, CLIENT)).resolves.toBe(2);
    expect(await kit.sessions.listByUser(user.userId)).toHaveLength(0);
  });
});
