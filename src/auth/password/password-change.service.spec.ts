import { ValidationFailedError } from '../../common/errors';
import { LOGGER, type Logger } from '../../common/logging/logger';
import {
  AccountLockedError,
  InvalidCurrentPasswordError,
  InvalidRefreshTokenError,
} from '../auth.errors';
import { LoginService } from '../login.service';
import { IssuedTokens, SessionService } from '../sessions/session.service';
import { JwtAccessTokenAuthenticator } from '../tokens/jwt-access-token.authenticator';
import { buildAuthKit, CLIENT } from '../testing/unit-kit';
import { PasswordChangeService } from './password-change.service';
import { PasswordHasher } from './password-hasher';

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

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

  it('bumps credential_version with the hash and moves the changing session to it', async () => {
    const { kit, user, mine, caller, service } = await setup();
    await service.change(caller, user.userId, password, next, CLIENT);
    const stored = kit.users.users.get(user.userId)!;
    expect(stored.credentialVersion).toBe(1);
    expect(kit.sessions.sessions.get(`${user.userId}/${mine.sessionId}`)!.credentialVersion).toBe(
      1,
    );
    expect(stored.passwordChangedAt).toBe(stored.updatedAt);
    expect(stored.passwordChangedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(stored.passwordChangedBySession).toBe(mine.sessionId);
    expect(stored.passwordHash).not.toBe(user.passwordHash);
  });

  it('kills a login that verified the OLD hash even if its session is created after the change', async () => {
    const { kit, user, mine, caller, service } = await setup();
    const hasher = kit.get(PasswordHasher);
    const realVerify = hasher.verify.bind(hasher);
    const realChange = kit.users.changePassword.bind(kit.users);
    const verified = gate();
    const proceed = gate();
    let racing: Promise<IssuedTokens> | undefined;
    jest.spyOn(kit.users, 'changePassword').mockImplementationOnce(async (...args) => {
      // The change has verified the current password and taken password_changed_at. A login starts
      // now, reads the user and verifies the OLD hash, and stalls before creating its session.
      jest.spyOn(hasher, 'verify').mockImplementationOnce(async (pw, hash) => {
        const ok = await realVerify(pw, hash);
        verified.open();
        await proceed.opened;
        return ok;
      });
      racing = kit.get(LoginService).login('jane_doe', password, CLIENT);
      await verified.opened;
      await realChange(...args); // the change commits while the login is in flight
    });
    // The whole change runs, its clean-up included, before the login creates its session.
    await expect(service.change(caller, user.userId, password, next, CLIENT)).resolves.toBe(1);
    proceed.open();
    const late = await racing!;

    const stored = kit.users.users.get(user.userId)!;
    const session = kit.sessions.sessions.get(`${user.userId}/${late.sessionId}`)!;
    // The clean-up ran before it existed.
    expect(session).toMatchObject({ userId: user.userId, sessionId: late.sessionId });
    // Created after password_changed_at: the old timestamp rule would have let it live.
    expect(session.createdAt >= stored.passwordChangedAt!).toBe(true);
    expect(session.credentialVersion).toBe(0);
    expect(stored.credentialVersion).toBe(1);
    const auth = kit.get(JwtAccessTokenAuthenticator);
    await expect(auth.authenticate(late.accessToken)).rejects.toMatchObject({
      status: 401,
      code: 'invalid_token',
    });
    await expect(kit.get(SessionService).refresh(late.refreshToken, CLIENT)).rejects.toBeInstanceOf(
      InvalidRefreshTokenError,
    );
    await expect(auth.authenticate(mine.accessToken)).resolves.toMatchObject({
      sessionId: mine.sessionId,
    });
  });

  it('the changing session survives repeated changes', async () => {
    const { kit, user, mine, caller, service } = await setup();
    await service.change(caller, user.userId, password, next, CLIENT);
    await service.change(caller, user.userId, next, 'a third fine passphrase', CLIENT);
    expect(kit.users.users.get(user.userId)!.credentialVersion).toBe(2);
    const auth = kit.get(JwtAccessTokenAuthenticator);
    const same = { userId: user.userId, sessionId: mine.sessionId };
    await expect(auth.authenticate(mine.accessToken)).resolves.toMatchObject(same);
    await expect(kit.get(SessionService).refresh(mine.refreshToken, CLIENT)).resolves.toMatchObject(
      same,
    );
  });

  it('kills the other sessions even when deleting their items fails', async () => {
    const { kit, user, mine, other, caller, service } = await setup();
    jest
      .spyOn(kit.sessions, 'revokeAllExcept')
      .mockRejectedValue(new Error('BatchWriteItem left deletes unprocessed'));
    await expect(service.change(caller, user.userId, password, next, CLIENT)).resolves.toBe(0);
    // The other session's item is still there, but it carries the old credential_version.
    expect((await kit.sessions.listByUser(user.userId)).map((s) => s.sessionId)).toContain(
      other.sessionId,
    );
    const auth = kit.get(JwtAccessTokenAuthenticator);
    const sessions = kit.get(SessionService);
    await expect(auth.authenticate(other.accessToken)).rejects.toMatchObject({
      status: 401,
      code: 'invalid_token',
    });
    await expect(sessions.refresh(other.refreshToken, CLIENT)).rejects.toBeInstanceOf(
      InvalidRefreshTokenError,
    );
    // The caller's session keeps working, through refresh too.
    await expect(auth.authenticate(mine.accessToken)).resolves.toMatchObject({
      sessionId: mine.sessionId,
    });
    const rotated = await sessions.refresh(mine.refreshToken, CLIENT);
    await expect(auth.authenticate(rotated.accessToken)).resolves.toMatchObject({
      sessionId: mine.sessionId,
    });
    expect(kit.audit.has('password_change', 'success')).toBe(true);
  });

  it('a rehash of the same password (login at another cost) ends no session', async () => {
    const { kit, user, other } = await setup();
    const stored = kit.users.users.get(user.userId)!;
    const now = new Date().toISOString();
    await expect(
      kit.users.rehashPassword(user.userId, stored.passwordHash, 'rehashed', now),
    ).resolves.toBe(true);
    expect(kit.users.users.get(user.userId)!.passwordChangedAt).toBeNull();
    expect(kit.users.users.get(user.userId)!.credentialVersion).toBe(0);
    const same = { userId: user.userId, sessionId: other.sessionId };
    await expect(
      kit.get(JwtAccessTokenAuthenticator).authenticate(other.accessToken),
    ).resolves.toMatchObject(same);
    await expect(
      kit.get(SessionService).refresh(other.refreshToken, CLIENT),
    ).resolves.toMatchObject(same);
  });

  it('a rehash never overwrites a password changed since the login read the user', async () => {
    const { kit, user, caller, service } = await setup();
    const readAtLogin = kit.users.users.get(user.userId)!.passwordHash;
    await service.change(caller, user.userId, password, next, CLIENT);
    const changed = kit.users.users.get(user.userId)!.passwordHash;
    const now = new Date().toISOString();
    await expect(kit.users.rehashPassword(user.userId, readAtLogin, 'stale', now)).resolves.toBe(
      false,
    );
    expect(kit.users.users.get(user.userId)!.passwordHash).toBe(changed);
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

  it('records the change in the audit: who, the session kept and how many others ended', async () => {
    const { kit, user, mine, caller, service } = await setup();
    await service.change(caller, user.userId, password, next, CLIENT);
    expect(kit.audit.records('password_change')).toEqual([
      {
        event: 'password_change',
        result: 'success',
        userId: user.userId,
        sessionId: mine.sessionId,
        count: 1,
        reason: undefined,
      },
    ]);
  });

  it('records a failed clean-up in the audit and warns about it, naming the user', async () => {
    const { kit, user, mine, caller, service } = await setup();
    jest.spyOn(kit.sessions, 'revokeAllExcept').mockRejectedValue(new Error('unprocessed'));
    const warn = jest.spyOn(kit.get<Logger>(LOGGER), 'warn');
    await service.change(caller, user.userId, password, next, CLIENT);
    expect(warn).toHaveBeenCalledWith(
      { user_id: user.userId, err: 'unprocessed' },
      'session clean-up after a password change failed; those sessions are already rejected',
    );
    expect(kit.audit.records('password_change')).toEqual([
      {
        event: 'password_change',
        result: 'success',
        userId: user.userId,
        sessionId: mine.sessionId,
        count: 0,
        reason: 'session_cleanup_failed',
      },
    ]);
  });

  it('records a wrong current password, then the lockout, in the audit', async () => {
    const { kit, user, caller, service } = await setup();
    for (let i = 0; i < 5; i++) {
      await service.change(caller, user.userId, 'guess', next, CLIENT).catch(() => undefined);
    }
    await service.change(caller, user.userId, password, next, CLIENT).catch(() => undefined);
    const records = kit.audit.records('password_change');
    expect(records).toHaveLength(6);
    expect(records.slice(0, 5)).toEqual(
      Array(5).fill({
        event: 'password_change',
        result: 'failure',
        userId: user.userId,
        reason: 'wrong_current_password',
      }),
    );
    expect(records[5]).toEqual({ event: 'password_change', result: 'locked', userId: user.userId });
  });

  it.each([
    ['the current password', password, 'new_password must differ from the current password'],
    ['the username', 'my JANE_DOE passphrase', 'new_password must not contain the username'],
  ])(
    'refuses a new password that repeats %s (422 naming new_password), changing nothing',
    async (_what, candidate, message) => {
      const { kit, user, other, caller, service } = await setup();
      const error = await service
        .change(caller, user.userId, password, candidate, CLIENT)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationFailedError);
      expect((error as ValidationFailedError).errors).toEqual([{ field: 'new_password', message }]);
      expect(kit.users.users.get(user.userId)).toMatchObject({
        credentialVersion: 0,
        passwordHash: user.passwordHash,
      });
      expect((await kit.sessions.listByUser(user.userId)).map((s) => s.sessionId)).toContain(
        other.sessionId,
      );
    },
  );

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
    expect(kit.users.users.get(user.userId)!.passwordChangedBySession).toBeNull();
  });
});
