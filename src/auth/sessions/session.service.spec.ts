import { InvalidRefreshTokenError } from '../auth.errors';
import { buildAuthKit, CLIENT } from '../testing/unit-kit';
import { JwtAccessTokenAuthenticator } from '../tokens/jwt-access-token.authenticator';
import { SessionService } from './session.service';

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
    const second = await sessions.start(user, CLIENT);
    const listed = await sessions.list(user.userId);
    expect(listed.map((s) => s.sessionId)).toEqual([second.sessionId, tokens.sessionId]);
    await sessions.revoke(user.userId, tokens.sessionId, CLIENT);
    await expect(sessions.revoke(user.userId, tokens.sessionId, CLIENT)).rejects.toMatchObject({
      status: 404,
    });
    expect((await sessions.list(user.userId)).map((s) => s.sessionId)).toEqual([second.sessionId]);
  });
});
