import { ValidationFailedError } from '../common/errors';
import { AdminBootstrapService } from './admin-bootstrap.service';
import { InvalidCredentialsError } from './auth.errors';
import { PasswordHasher } from './password/password-hasher';
import { RegistrationService } from './registration.service';
import { buildAuthKit } from './testing/unit-kit';

const PASSWORD = 'a perfectly fine passphrase';

describe('AdminBootstrapService', () => {
  async function setup() {
    const kit = await buildAuthKit();
    const service = new AdminBootstrapService(
      kit.users,
      kit.get(RegistrationService),
      kit.get(PasswordHasher),
    );
    return { kit, service };
  }

  it('creates an admin through the registration rules, with default names', async () => {
    const { kit, service } = await setup();
    const result = await service.createOrPromote({
      username: 'Root_Admin',
      email: 'root@example.com',
      password: PASSWORD,
    });
    expect(result.outcome).toBe('created');
    expect(result.user).toMatchObject({
      username: 'root_admin',
      email: 'root@example.com',
      role: 'admin',
      firstName: 'Admin',
      lastName: 'User',
    });
    expect(kit.users.users.get(result.user.userId)).toMatchObject({ role: 'admin' });
  });

  it('uses the names given', async () => {
    const { service } = await setup();
    const { user } = await service.createOrPromote({
      username: 'root_admin',
      email: 'root@example.com',
      password: PASSWORD,
      firstName: 'Ada',
      lastName: 'Lovelace',
    });
    expect(user).toMatchObject({ firstName: 'Ada', lastName: 'Lovelace' });
  });

  it.each([
    ['username', { username: 'x', email: 'root@example.com', password: PASSWORD }],
    ['email', { username: 'root_admin', email: 'not-an-address', password: PASSWORD }],
    ['password', { username: 'root_admin', email: 'root@example.com', password: 'short' }],
  ])('refuses an invalid %s with the field named, creating nothing', async (field, spec) => {
    const { kit, service } = await setup();
    const error = await service.createOrPromote(spec).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationFailedError);
    expect((error as ValidationFailedError).errors?.map((e) => e.field)).toContain(field);
    expect(kit.users.users.size).toBe(0);
  });

  it("promotes an existing user given that user's password, keeping password and e-mail", async () => {
    const { kit, service } = await setup();
    const user = await kit.register({
      username: 'jane_doe',
      email: 'jane@example.com',
      password: PASSWORD,
    });
    const result = await service.createOrPromote({
      username: ' JANE_DOE ',
      email: 'other@example.com',
      password: PASSWORD,
    });
    expect(result.outcome).toBe('promoted');
    expect(result.user).toMatchObject({
      userId: user.userId,
      role: 'admin',
      email: 'jane@example.com',
    });
    expect(kit.users.users.get(user.userId)).toMatchObject({
      role: 'admin',
      passwordHash: user.passwordHash,
    });
    const again = await service.createOrPromote({
      username: 'jane_doe',
      email: 'jane@example.com',
      password: PASSWORD,
    });
    expect(again).toMatchObject({ outcome: 'unchanged', user: { role: 'admin' } });
  });

  it('refuses to promote with a wrong password, changing nothing', async () => {
    const { kit, service } = await setup();
    const user = await kit.register({ username: 'jane_doe', password: PASSWORD });
    await expect(
      service.createOrPromote({
        username: 'jane_doe',
        email: 'x@example.com',
        password: 'wrong one entirely',
      }),
    ).rejects.toBeInstanceOf(InvalidCredentialsError);
    expect(kit.users.users.get(user.userId)).toMatchObject({ role: 'customer' });
  });
});
