import { LOGGER } from '../common/logging/logger';
import { UserRepository } from '../users/persistence/user.repository';
import { AccountLockedError, InvalidCredentialsError } from './auth.errors';
import { LoginService } from './login.service';
import { PasswordHasher } from './password/password-hasher';
import { buildAuthKit, CLIENT } from './testing/unit-kit';

describe('LoginService', () => {
  const password = 'a perfectly fine passphrase';

  it('logs in with the username or the e-mail, in any case, and starts a session', async () => {
    const kit = await buildAuthKit();
    const user = await kit.register({ username: 'jane_doe', email: 'jane@example.com', password });
    const login = kit.get(LoginService);
    const byName = await login.login('JANE_DOE', password, CLIENT);
    const byEmail = await login.login(' Jane@Example.com ', password, CLIENT);
    expect(byName.userId).toBe(user.userId);
    expect(byEmail.userId).toBe(user.userId);
    expect(await kit.sessions.listByUser(user.userId)).toHaveLength(2);
    expect(kit.audit.has('login', 'success')).toBe(true);
  });

  it('gives unknown users and wrong passwords the same error, after a bcrypt comparison either way', async () => {
    const kit = await buildAuthKit();
    await kit.register({ username: 'jane_doe', password });
    const hasher = kit.get(PasswordHasher);
    const dummy = jest.spyOn(hasher, 'verifyAgainstDummy');
    const real = jest.spyOn(hasher, 'verify');
    const login = kit.get(LoginService);
    const unknown = await login.login('nobody_here', password, CLIENT).catch((e: unknown) => e);
    const wrong = await login
      .login('jane_doe', 'not the password', CLIENT)
      .catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(InvalidCredentialsError);
    expect(wrong).toBeInstanceOf(InvalidCredentialsError);
    expect((unknown as Error).message).toBe((wrong as Error).message);
    expect(dummy).toHaveBeenCalledTimes(1);
    expect(real).toHaveBeenCalledTimes(1);
  });

  it('locks an account after 5 failures, even for the right password, and says when to retry', async () => {
    const kit = await buildAuthKit();
    await kit.register({ username: 'jane_doe', password });
    const login = kit.get(LoginService);
    for (let i = 0; i < 5; i++) {
      await expect(login.login('jane_doe', `wrong ${i}`, CLIENT)).rejects.toBeInstanceOf(
        InvalidCredentialsError,
      );
    }
    const locked = await login.login('jane_doe', password, CLIENT).catch((e: unknown) => e);
    expect(locked).toBeInstanceOf(AccountLockedError);
    expect((locked as AccountLockedError).headers?.['Retry-After']).toBe(String(15 * 60));
    expect(kit.audit.has('lockout', 'locked')).toBe(true);
    expect(kit.audit.has('login', 'locked')).toBe(true);
  });

  it('counts the username and the e-mail of one account together', async () => {
    const kit = await buildAuthKit();
    await kit.register({ username: 'jane_doe', email: 'jane@example.com', password });
    const login = kit.get(LoginService);
    for (let i = 0; i < 5; i++) {
      const who = i % 2 ? 'jane_doe' : 'jane@example.com';
      await expect(login.login(who, 'wrong', CLIENT)).rejects.toBeInstanceOf(
        InvalidCredentialsError,
      );
    }
    await expect(login.login('jane@example.com', password, CLIENT)).rejects.toBeInstanceOf(
      AccountLockedError,
    );
  });

  it('locks unknown identifiers the same way', async () => {
    const kit = await buildAuthKit();
    const login = kit.get(LoginService);
    for (let i = 0; i < 5; i++) {
      await expect(login.login('ghost_user', 'wrong', CLIENT)).rejects.toBeInstanceOf(
        InvalidCredentialsError,
      );
    }
    await expect(login.login('ghost_user', 'wrong', CLIENT)).rejects.toBeInstanceOf(
      AccountLockedError,
    );
  });

  it('resets the counter on success', async () => {
    const kit = await buildAuthKit();
    await kit.register({ username: 'jane_doe', password });
    const login = kit.get(LoginService);
    for (let i = 0; i < 4; i++)
      await login.login('jane_doe', 'wrong', CLIENT).catch(() => undefined);
    await login.login('jane_doe', password, CLIENT);
    for (let i = 0; i < 4; i++) {
      await expect(login.login('jane_doe', 'wrong', CLIENT)).rejects.toBeInstanceOf(
        InvalidCredentialsError,
      );
    }
    await expect(login.login('jane_doe', password, CLIENT)).resolves.toHaveProperty('accessToken');
  });

  it('refuses disabled accounts with the same error', async () => {
    const kit = await buildAuthKit();
    const user = await kit.register({ username: 'jane_doe', password });
    kit.users.users.set(user.userId, { ...user, status: 'disabled' });
    await expect(kit.get(LoginService).login('jane_doe', password, CLIENT)).rejects.toBeInstanceOf(
      InvalidCredentialsError,
    );
  });

  it('rehashes a password stored with another bcrypt cost on login', async () => {
    const kit = await buildAuthKit({ BCRYPT_COST: '5' });
    const user = await kit.register({ username: 'jane_doe', password });
    const bcrypt = await import('bcrypt');
    const oldHash = await bcrypt.hash(
      (await import('./password/password-hasher')).prehash(password),
      4,
    );
    kit.users.users.set(user.userId, { ...user, passwordHash: oldHash });
    await kit.get(LoginService).login('jane_doe', password, CLIENT);
    expect(bcrypt.getRounds((await kit.users.findById(user.userId))!.passwordHash)).toBe(5);
  });

  describe('the audit record of every outcome', () => {
    it('a success names the user and the new session, and passes the client through', async () => {
      const kit = await buildAuthKit();
      const user = await kit.register({ username: 'jane_doe', password });
      kit.audit.events.length = 0;
      const tokens = await kit.get(LoginService).login('jane_doe', password, CLIENT);
      expect(kit.audit.events).toEqual([
        {
          event: 'login',
          result: 'success',
          client: CLIENT,
          userId: user.userId,
          sessionId: tokens.sessionId,
        },
      ]);
    });

    it('a wrong password, an unknown user and a disabled account each say why, with the count', async () => {
      const kit = await buildAuthKit();
      const user = await kit.register({ username: 'jane_doe', password });
      const other = await kit.register({ username: 'john_doe', password });
      kit.users.users.set(other.userId, { ...other, status: 'disabled' });
      kit.audit.events.length = 0;
      const login = kit.get(LoginService);
      await login.login('jane_doe', 'wrong', CLIENT).catch(() => undefined);
      await login.login('jane_doe', 'wrong again', CLIENT).catch(() => undefined);
      await login.login(' Ghost_User ', password, CLIENT).catch(() => undefined);
      await login.login('john_doe', password, CLIENT).catch(() => undefined);
      expect(kit.audit.records()).toEqual([
        {
          event: 'login',
          result: 'failure',
          userId: user.userId,
          reason: 'wrong_password',
          count: 1,
        },
        {
          event: 'login',
          result: 'failure',
          userId: user.userId,
          reason: 'wrong_password',
          count: 2,
        },
        // No user: the normalized identifier, which the audit fingerprints (never logs).
        {
          event: 'login',
          result: 'failure',
          userId: null,
          identifier: 'ghost_user',
          reason: 'unknown_user',
          count: 1,
        },
        { event: 'login', result: 'failure', userId: other.userId, reason: 'disabled', count: 1 },
      ]);
    });

    it('the fifth failure also records the lockout, once; the sixth attempt is refused as locked', async () => {
      const kit = await buildAuthKit();
      const user = await kit.register({ username: 'jane_doe', password });
      kit.audit.events.length = 0;
      const login = kit.get(LoginService);
      for (let i = 0; i < 4; i++)
        await login.login('jane_doe', 'wrong', CLIENT).catch(() => undefined);
      expect(kit.audit.has('lockout', 'locked')).toBe(false);
      await login.login('jane_doe', 'wrong', CLIENT).catch(() => undefined);
      await login.login('jane_doe', password, CLIENT).catch(() => undefined);
      expect(kit.audit.records().slice(4)).toEqual([
        {
          event: 'login',
          result: 'failure',
          userId: user.userId,
          reason: 'wrong_password',
          count: 5,
        },
        { event: 'lockout', result: 'locked', userId: user.userId, count: 5 },
        { event: 'login', result: 'locked', userId: user.userId, reason: 'account_locked' },
      ]);
    });
  });

  it('finds an account stored under the legacy form of its e-mail (the second lookup form)', async () => {
    const kit = await buildAuthKit();
    const user = await kit.register({ username: 'jane_doe', password });
    // Stored before canonical e-mails existed: the trimmed lower-case Unicode form only.
    kit.users.users.set(user.userId, { ...user, email: 'j@münchen.de' });
    kit.users.emails.set('j@münchen.de', user.userId);
    const lookups = jest.spyOn(kit.users, 'findByUsernameOrEmail');
    const tokens = await kit.get(LoginService).login('J@MÜNCHEN.de', password, CLIENT);
    expect(tokens.userId).toBe(user.userId);
    expect(lookups.mock.calls.map(([form]) => form)).toEqual([
      'j@xn--mnchen-3ya.de',
      'j@münchen.de',
    ]);
  });

  it('stops at the first lookup form that finds the account', async () => {
    const kit = await buildAuthKit();
    const user = await kit.register({
      username: 'jane_doe',
      email: 'j@xn--mnchen-3ya.de',
      password,
    });
    const lookups = jest.spyOn(kit.users, 'findByUsernameOrEmail');
    await expect(
      kit.get(LoginService).login('J@MÜNCHEN.de', password, CLIENT),
    ).resolves.toMatchObject({
      userId: user.userId,
    });
    expect(lookups).toHaveBeenCalledTimes(1);
  });

  it('does not rewrite a hash made with the current cost', async () => {
    const kit = await buildAuthKit();
    await kit.register({ username: 'jane_doe', password });
    const rehash = jest.spyOn(kit.users, 'rehashPassword');
    await kit.get(LoginService).login('jane_doe', password, CLIENT);
    expect(rehash).not.toHaveBeenCalled();
  });

  it('logs in even when the rehash write fails, and warns about it', async () => {
    const kit = await buildAuthKit({ BCRYPT_COST: '5' });
    const user = await kit.register({ username: 'jane_doe', password });
    const bcrypt = await import('bcrypt');
    const { prehash } = await import('./password/password-hasher');
    kit.users.users.set(user.userId, {
      ...user,
      passwordHash: await bcrypt.hash(prehash(password), 4),
    });
    jest
      .spyOn(kit.get(UserRepository), 'rehashPassword')
      .mockRejectedValueOnce(new Error('throttled'));
    const warn = jest.spyOn(kit.get(LOGGER), 'warn');
    await expect(kit.get(LoginService).login('jane_doe', password, CLIENT)).resolves.toMatchObject({
      userId: user.userId,
    });
    expect(warn).toHaveBeenCalledWith(
      { user_id: user.userId, err: 'throttled' },
      'password rehash failed',
    );
  });
});
