import { ConcurrentUpdateError } from '../../users/users.errors';
import { InvalidRefreshTokenError } from '../auth.errors';
import { buildAuthKit, CLIENT } from '../testing/unit-kit';
import { JwtAccessTokenAuthenticator } from '../tokens/jwt-access-token.authenticator';
import { formatRefreshToken, newRefreshSecret, parseRefreshToken } from './refresh-token';
import { SessionService, USED_REFRESH_HASHES_KEPT } from './session.service';

describe('SessionService', () => {
  async function loggedIn() {
    const kit = await buildAuthKit();
    const user = await kit.register();
    const sessions = kit.get(SessionService);
    const tokens = await sessions.start(user, CLIENT);
    return { kit, user, sessions, tokens, auth: kit.get(JwtAccessTokenAuthenticator) };
  }

  it('rotates the refresh token on every use, keeping the session', async () => {
    const { sessions, tokens, auth } = await loggedIn();
    const next = await sessions.refresh(tokens.refreshToken, CLIENT);
    expect(next.refreshToken).not.toBe(tokens.refreshToken);
    expect(next.sessionId).toBe(tokens.sessionId);
    expect(next.refreshExpiresIn).toBe(7 * 86400);
    await expect(auth.authenticate(next.accessToken)).resolves.toMatchObject({
      sessionId: tokens.sessionId,
    });
    const third = await sessions.refresh(next.refreshToken, CLIENT);
    expect(third.refreshToken).not.toBe(next.refreshToken);
  });

  it('revokes the whole session when a rotated refresh token is presented again', async () => {
    const { kit, sessions, tokens, auth } = await loggedIn();
    const next = await sessions.refresh(tokens.refreshToken, CLIENT);
    await expect(sessions.refresh(tokens.refreshToken, CLIENT)).rejects.toBeInstanceOf(
      InvalidRefreshTokenError,
    );
    expect(kit.audit.has('refresh_reuse', 'detected')).toBe(true);
    // The legitimate holder of the newer token is logged out too.
    await expect(sessions.refresh(next.refreshToken, CLIENT)).rejects.toBeInstanceOf(
      InvalidRefreshTokenError,
    );
    await expect(auth.authenticate(next.accessToken)).rejects.toMatchObject({
      code: 'invalid_token',
    });
  });

  it('refuses a forged secret for a real user and session without ending the session', async () => {
    const { kit, sessions, tokens, auth } = await loggedIn();
    const { userId, sessionId } = parseRefreshToken(tokens.refreshToken)!;
    const forged = formatRefreshToken({ userId, sessionId, secret: newRefreshSecret() });
    await expect(sessions.refresh(forged, CLIENT)).rejects.toMatchObject({
      status: 401,
      code: 'invalid_refresh_token',
    });
    expect(kit.audit.has('refresh_reuse', 'detected')).toBe(false);
    expect(kit.audit.has('refresh', 'failure')).toBe(true);
    expect(kit.sessions.sessions.size).toBe(1);
    // The real holder is unaffected: the access token works and the refresh token still rotates.
    await expect(auth.authenticate(tokens.accessToken)).resolves.toMatchObject({ sessionId });
    await expect(sessions.refresh(tokens.refreshToken, CLIENT)).resolves.toMatchObject({
      sessionId,
    });
  });

  it('remembers the last rotated hashes; an older used token is refused without revoking', async () => {
    const { kit, sessions, tokens } = await loggedIn();
    const chain = [tokens.refreshToken];
    for (let i = 0; i <= USED_REFRESH_HASHES_KEPT; i++) {
      chain.push((await sessions.refresh(chain[chain.length - 1], CLIENT)).refreshToken);
    }
    const [stored] = kit.sessions.sessions.values();
    expect(stored.usedRefreshHashes).toHaveLength(USED_REFRESH_HASHES_KEPT);
    // chain[0] has fallen out of the window: a plain 401, the session lives on.
    await expect(sessions.refresh(chain[0], CLIENT)).rejects.toBeInstanceOf(
      InvalidRefreshTokenError,
    );
    expect(kit.audit.has('refresh_reuse', 'detected')).toBe(false);
    expect(kit.sessions.sessions.size).toBe(1);
    // chain[1] is still remembered: reuse, the session is revoked.
    await expect(sessions.refresh(chain[1], CLIENT)).rejects.toBeInstanceOf(
      InvalidRefreshTokenError,
    );
    expect(kit.audit.has('refresh_reuse', 'detected')).toBe(true);
    expect(kit.sessions.sessions.size).toBe(0);
  });

  it('lets exactly one of two racing refreshes of the same token win; the loser revokes (reuse)', async () => {
    const { kit, sessions, tokens } = await loggedIn();
    const results = await Promise.allSettled([
      sessions.refresh(tokens.refreshToken, CLIENT),
      sessions.refresh(tokens.refreshToken, CLIENT),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(lost.reason).toBeInstanceOf(InvalidRefreshTokenError);
    expect(kit.audit.has('refresh_reuse', 'detected')).toBe(true);
    expect(kit.sessions.sessions.size).toBe(0);
  });

  it("rejects a session whose credential version is not the user's, even if its item remains", async () => {
    const { kit, user, sessions, tokens, auth } = await loggedIn();
    const changer = await sessions.start(user, CLIENT);
    const now = new Date().toISOString();
    await kit.users.changePassword(user.userId, 0, 'new-hash', now, changer.sessionId);
    expect(kit.sessions.sessions.size).toBe(2); // nothing deleted: the version rule alone
    expect(kit.users.users.get(user.userId)!.credentialVersion).toBe(1);
    await expect(auth.authenticate(tokens.accessToken)).rejects.toMatchObject({
      code: 'invalid_token',
    });
    await expect(sessions.refresh(tokens.refreshToken, CLIENT)).rejects.toBeInstanceOf(
      InvalidRefreshTokenError,
    );
    // The changer was moved to the new version in the same write; it lives on, through refresh too
    // (rotation carries the version over), and so does a session started from the new user item.
    await expect(auth.authenticate(changer.accessToken)).resolves.toMatchObject({
      sessionId: changer.sessionId,
    });
    const rotated = await sessions.refresh(changer.refreshToken, CLIENT);
    const same = { userId: user.userId, sessionId: changer.sessionId };
    await expect(auth.authenticate(rotated.accessToken)).resolves.toMatchObject(same);
    await expect(sessions.refresh(rotated.refreshToken, CLIENT)).resolves.toMatchObject(same);
    const later = await sessions.start(kit.users.users.get(user.userId)!, CLIENT);
    const fresh = { userId: user.userId, sessionId: later.sessionId };
    await expect(auth.authenticate(later.accessToken)).resolves.toMatchObject(fresh);
    await expect(sessions.refresh(later.refreshToken, CLIENT)).resolves.toMatchObject(fresh);
  });

  it('writes nothing when the version moved or the changer session is gone', async () => {
    const { kit, user, sessions, tokens } = await loggedIn();
    const now = new Date().toISOString();
    await expect(
      kit.users.changePassword(user.userId, 7, 'new-hash', now, tokens.sessionId),
    ).rejects.toBeInstanceOf(ConcurrentUpdateError);
    await sessions.end(user.userId, tokens.sessionId, CLIENT);
    await expect(
      kit.users.changePassword(user.userId, 0, 'new-hash', now, tokens.sessionId),
    ).rejects.toMatchObject({ status: 401, code: 'invalid_token' });
    expect(kit.users.users.get(user.userId)).toMatchObject({
      passwordHash: user.passwordHash,
      credentialVersion: 0,
    });
  });

  it('a refresh that loses to a logout is a plain 401 (session_gone), not reuse', async () => {
    const { kit, user, sessions, tokens } = await loggedIn();
    const rotate = kit.sessions.rotate.bind(kit.sessions);
    jest.spyOn(kit.sessions, 'rotate').mockImplementationOnce(async (...args) => {
      await kit.sessions.revoke(user.userId, tokens.sessionId); // logout between read and write
      return rotate(...args);
    });
    await expect(sessions.refresh(tokens.refreshToken, CLIENT)).rejects.toBeInstanceOf(
      InvalidRefreshTokenError,
    );
    expect(kit.audit.events.filter((e) => e.event === 'refresh')).toEqual([
      expect.objectContaining({ result: 'failure', reason: 'session_gone' }),
    ]);
    expect(kit.audit.has('refresh_reuse', 'detected')).toBe(false);
  });

  it('rejects malformed, unknown and expired refresh tokens', async () => {
    const { kit, sessions, tokens } = await loggedIn();
    await expect(sessions.refresh('nope', CLIENT)).rejects.toBeInstanceOf(InvalidRefreshTokenError);
    await expect(sessions.refresh(tokens.accessToken, CLIENT)).rejects.toBeInstanceOf(
      InvalidRefreshTokenError,
    );
    const later = new Date(Date.now() + 8 * 86400_000);
    await expect(sessions.refresh(tokens.refreshToken, CLIENT, later)).rejects.toBeInstanceOf(
      InvalidRefreshTokenError,
    );
    expect(kit.sessions.sessions.size).toBe(0);
  });

  it('ends a session at logout: its access and refresh tokens stop working', async () => {
    const { user, sessions, tokens, auth } = await loggedIn();
    await sessions.end(user.userId, tokens.sessionId, CLIENT);
    await expect(auth.authenticate(tokens.accessToken)).rejects.toMatchObject({ status: 401 });
    await expect(sessions.refresh(tokens.refreshToken, CLIENT)).rejects.toBeInstanceOf(
      InvalidRefreshTokenError,
    );
  });

  it('refuses to refresh for a user that no longer exists', async () => {
    const { kit, user, sessions, tokens } = await loggedIn();
    kit.users.users.delete(user.userId);
    await expect(sessions.refresh(tokens.refreshToken, CLIENT)).rejects.toBeInstanceOf(
      InvalidRefreshTokenError,
    );
  });

  it('lists live sessions newest first and revokes one by id (404 when unknown)', async () => {
    const { user, sessions, tokens } = await loggedIn();
    // A later millisecond: two ULIDs of the same millisecond do not sort by creation order.
    const second = await sessions.start(user, CLIENT, new Date(Date.now() + 5));
    const listed = await sessions.list(user.userId);
    expect(listed.map((s) => s.sessionId)).toEqual([second.sessionId, tokens.sessionId]);
    await sessions.revoke(user.userId, tokens.sessionId, CLIENT);
    await expect(sessions.revoke(user.userId, tokens.sessionId, CLIENT)).rejects.toMatchObject({
      status: 404,
    });
    expect((await sessions.list(user.userId)).map((s) => s.sessionId)).toEqual([second.sessionId]);
  });

  it.each(['..%2F', '../', "x'y", 'NOSUCHSESSION', '01arz3ndektsv4rrffq69g5fav', ''])(
    'answers 404 to revoking a session id of the wrong shape (%j) without touching the store',
    async (bad) => {
      const { kit, user, sessions } = await loggedIn();
      const spy = jest.spyOn(kit.sessions, 'revoke');
      await expect(sessions.revoke(user.userId, bad, CLIENT)).rejects.toMatchObject({
        status: 404,
        code: 'not_found',
      });
      expect(spy).not.toHaveBeenCalled();
    },
  );

  it('starts a session with no used refresh hashes, the credential version and the client', async () => {
    const { kit, user, tokens } = await loggedIn();
    expect([...kit.sessions.sessions.values()]).toEqual([
      expect.objectContaining({
        sessionId: tokens.sessionId,
        userId: user.userId,
        usedRefreshHashes: [],
        credentialVersion: user.credentialVersion,
        ip: CLIENT.ip,
        userAgent: CLIENT.userAgent,
      }),
    ]);
  });

  describe('the audit record says why a refresh failed', () => {
    async function failedRefresh(
      prepare: (ctx: Awaited<ReturnType<typeof loggedIn>>) => Promise<string> | string,
      now?: Date,
    ) {
      const ctx = await loggedIn();
      const token = await prepare(ctx);
      ctx.kit.audit.events.length = 0;
      await expect(ctx.sessions.refresh(token, CLIENT, now)).rejects.toBeInstanceOf(
        InvalidRefreshTokenError,
      );
      return { ...ctx, records: ctx.kit.audit.records() };
    }

    it('malformed: no user', async () => {
      const { records } = await failedRefresh(() => 'nope');
      expect(records).toEqual([
        { event: 'refresh', result: 'failure', userId: null, reason: 'malformed' },
      ]);
    });

    it('no_session: a well-formed token for a session that does not exist', async () => {
      const { records, user } = await failedRefresh(({ user }) =>
        formatRefreshToken({
          userId: user.userId,
          sessionId: '01ARZ3NDEKTSV4RRFFQ69G5FAV',
          secret: newRefreshSecret(),
        }),
      );
      expect(records).toEqual([
        { event: 'refresh', result: 'failure', userId: user.userId, reason: 'no_session' },
      ]);
    });

    it('expired: and the session is deleted', async () => {
      const { records, user, kit } = await failedRefresh(
        ({ tokens }) => tokens.refreshToken,
        new Date(Date.now() + 8 * 86400_000),
      );
      expect(records).toEqual([
        { event: 'refresh', result: 'failure', userId: user.userId, reason: 'expired' },
      ]);
      expect(kit.sessions.sessions.size).toBe(0);
    });

    it('unknown_secret: and the session lives on', async () => {
      const { records, user, kit } = await failedRefresh(({ tokens }) => {
        const { userId, sessionId } = parseRefreshToken(tokens.refreshToken)!;
        return formatRefreshToken({ userId, sessionId, secret: newRefreshSecret() });
      });
      expect(records).toEqual([
        { event: 'refresh', result: 'failure', userId: user.userId, reason: 'unknown_secret' },
      ]);
      expect(kit.sessions.sessions.size).toBe(1);
    });

    it.each([
      [
        'disabled',
        (kit: Awaited<ReturnType<typeof loggedIn>>['kit'], user: { userId: string }) =>
          kit.users.users.set(user.userId, {
            ...kit.users.users.get(user.userId)!,
            status: 'disabled',
          }),
      ],
      [
        'deleted',
        (kit: Awaited<ReturnType<typeof loggedIn>>['kit'], user: { userId: string }) =>
          kit.users.users.delete(user.userId),
      ],
    ])('user_gone (%s owner): and the session is deleted', async (_label, change) => {
      const { records, user, kit } = await failedRefresh(({ kit, user, tokens }) => {
        change(kit, user);
        return tokens.refreshToken;
      });
      expect(records).toEqual([
        { event: 'refresh', result: 'failure', userId: user.userId, reason: 'user_gone' },
      ]);
      expect(kit.sessions.sessions.size).toBe(0);
    });

    it('password_changed: and the stale session is deleted', async () => {
      const { records, user, kit } = await failedRefresh(({ kit, user, tokens }) => {
        kit.users.users.set(user.userId, {
          ...user,
          credentialVersion: user.credentialVersion + 1,
        });
        return tokens.refreshToken;
      });
      expect(records).toEqual([
        { event: 'refresh', result: 'failure', userId: user.userId, reason: 'password_changed' },
      ]);
      expect(kit.sessions.sessions.size).toBe(0);
    });
  });

  it('audits a rotation, a logout, a revocation and a detected reuse with user and session', async () => {
    const { kit, user, sessions, tokens } = await loggedIn();
    const other = await sessions.start(user, CLIENT);
    const third = await sessions.start(user, CLIENT);
    kit.audit.events.length = 0;
    const next = await sessions.refresh(tokens.refreshToken, CLIENT);
    await sessions.refresh(tokens.refreshToken, CLIENT).catch(() => undefined);
    await sessions.end(user.userId, other.sessionId, CLIENT);
    await sessions.revoke(user.userId, third.sessionId, CLIENT);
    const { userId } = user;
    expect(next.sessionId).toBe(tokens.sessionId);
    expect(kit.audit.events).toEqual([
      { event: 'refresh', result: 'success', client: CLIENT, userId, sessionId: tokens.sessionId },
      {
        event: 'refresh_reuse',
        result: 'detected',
        client: CLIENT,
        userId,
        sessionId: tokens.sessionId,
        reason: 'session_revoked',
      },
      { event: 'logout', result: 'success', client: CLIENT, userId, sessionId: other.sessionId },
      {
        event: 'session_revoke',
        result: 'success',
        client: CLIENT,
        userId,
        sessionId: third.sessionId,
      },
    ]);
  });

  it('says which session does not exist when revoking an unknown or malformed id', async () => {
    const { user, sessions } = await loggedIn();
    for (const id of ['01ARZ3NDEKTSV4RRFFQ69G5FAV', 'nope']) {
      await expect(sessions.revoke(user.userId, id, CLIENT)).rejects.toMatchObject({
        status: 404,
        detail: 'The session does not exist.',
      });
    }
  });

  it('lists newest first whatever order the store returns, leaving out expired sessions', async () => {
    const { kit, user, sessions, tokens } = await loggedIn();
    const base = Date.now();
    const started = [];
    for (const offset of [30, 10, 50, 20, 40]) {
      started.push((await sessions.start(user, CLIENT, new Date(base + offset * 1000))).sessionId);
    }
    const newestFirst = [...started].sort().reverse();
    const stored = await kit.sessions.listByUser(user.userId);
    expect(stored[0].sessionId).toBe(tokens.sessionId);
    jest
      .spyOn(kit.sessions, 'listByUser')
      .mockResolvedValue([stored[3], stored[0], stored[5], stored[1], stored[4], stored[2]]);
    const listed = await sessions.list(user.userId);
    expect(listed.map((s) => s.sessionId)).toEqual([...newestFirst, tokens.sessionId]);
    // At the second the first session expires, it is no longer live; the later ones still are.
    const atFirstExpiry = new Date(stored[0].expiresAt * 1000);
    const live = await sessions.list(user.userId, atFirstExpiry);
    expect(live.map((s) => s.sessionId)).toEqual(newestFirst);
  });
});
