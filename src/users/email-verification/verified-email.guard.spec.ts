import type { ExecutionContext } from '@nestjs/common';
import { unitConfig } from '../../auth/testing/unit-kit';
import { ManualClock } from '../../database/testing/manual-clock';
import { newUser } from '../../database/testing/persistence-fixtures';
import { InMemoryUserRepository } from '../persistence/user.repository.fake';
import { VerifiedEmailGuard } from './verified-email.guard';

const contextOf = (request: object) =>
  ({ switchToHttp: () => ({ getRequest: () => request }) }) as unknown as ExecutionContext;

describe('VerifiedEmailGuard', () => {
  const users = new InMemoryUserRepository();
  const clock = new ManualClock();
  const verified = newUser(clock, { emailVerified: true });
  const unverified = newUser(clock);
  beforeAll(async () => {
    await users.register(verified);
    await users.register(unverified);
  });
  const guard = (required: boolean) =>
    new VerifiedEmailGuard(users, unitConfig({ EMAIL_VERIFICATION_REQUIRED: String(required) }));

  it('is off by default: lets everyone through without reading the user', async () => {
    const read = jest.spyOn(users, 'findById');
    await expect(
      guard(false).canActivate(contextOf({ user: { userId: unverified.userId } })),
    ).resolves.toBe(true);
    expect(read).not.toHaveBeenCalled();
    read.mockRestore();
  });

  it('when required, refuses an unverified target user with 403 email_not_verified', async () => {
    await expect(
      guard(true).canActivate(contextOf({ targetUserId: unverified.userId })),
    ).rejects.toMatchObject({ status: 403, code: 'email_not_verified' });
    // The caller's own id when the route has no target user.
    await expect(
      guard(true).canActivate(contextOf({ user: { userId: unverified.userId } })),
    ).rejects.toMatchObject({ status: 403 });
  });

  it('when required, checks the target user, not the caller (a service acting for a user)', async () => {
    await expect(
      guard(true).canActivate(
        contextOf({ targetUserId: verified.userId, user: { userId: unverified.userId } }),
      ),
    ).resolves.toBe(true);
    await expect(
      guard(true).canActivate(
        contextOf({ targetUserId: unverified.userId, user: { userId: verified.userId } }),
      ),
    ).rejects.toMatchObject({ code: 'email_not_verified' });
  });

  it('when required, lets a verified user, an unknown user and an anonymous request through', async () => {
    await expect(
      guard(true).canActivate(contextOf({ targetUserId: verified.userId })),
    ).resolves.toBe(true);
    await expect(
      guard(true).canActivate(contextOf({ targetUserId: newUser(clock).userId })),
    ).resolves.toBe(true);
    await expect(guard(true).canActivate(contextOf({}))).resolves.toBe(true);
  });
});
