import { SessionService } from '../sessions/session.service';
import { buildAuthKit, CLIENT } from '../testing/unit-kit';
import { JwtAccessTokenAuthenticator } from './jwt-access-token.authenticator';
import { TokenService } from './token.service';

describe('JwtAccessTokenAuthenticator', () => {
  it('returns the principal with role and username from the user item', async () => {
    const kit = await buildAuthKit();
    const user = await kit.register();
    const tokens = await kit.get(SessionService).start(user, CLIENT);
    const auth = kit.get(JwtAccessTokenAuthenticator);
    await expect(auth.authenticate(tokens.accessToken)).resolves.toEqual({
      userId: user.userId,
      username: user.username,
      role: 'customer',
      sessionId: tokens.sessionId,
    });
    // A promotion applies to tokens already issued.
    await kit.users.setRole(user.userId, 'admin', new Date().toISOString());
    await expect(auth.authenticate(tokens.accessToken)).resolves.toMatchObject({ role: 'admin' });
  });

  it('answers 401 (never 500) once the user is deleted or disabled', async () => {
    const kit = await buildAuthKit();
    const user = await kit.register();
    const tokens = await kit.get(SessionService).start(user, CLIENT);
    const auth = kit.get(JwtAccessTokenAuthenticator);
    kit.users.users.set(user.userId, { ...user, status: 'disabled' });
    await expect(auth.authenticate(tokens.accessToken)).rejects.toMatchObject({
      status: 401,
      code: 'invalid_token',
    });
    kit.users.users.delete(user.userId);
    await expect(auth.authenticate(tokens.accessToken)).rejects.toMatchObject({
      status: 401,
      code: 'invalid_token',
    });
  });

  it('accepts service tokens without any session', async () => {
    const kit = await buildAuthKit();
    const token = kit.get(TokenService).issueServiceToken('order-service', 1);
    await expect(kit.get(JwtAccessTokenAuthenticator).authenticate(token)).resolves.toEqual({
      userId: 'service:order-service',
      username: 'order-service',
      role: 'service',
    });
  });
});
