import { ValidationFailedError } from '../common/errors';
import { MailOutbox } from '../mail/mail-outbox';
import { EmailTakenError, UsernameTakenError } from '../users/users.errors';
import type { RegisterDto } from './dto/register.dto';
import { PasswordHasher } from './password/password-hasher';
import { RegistrationService } from './registration.service';
import { buildAuthKit, CLIENT } from './testing/unit-kit';

const input = (overrides: Partial<RegisterDto> = {}): RegisterDto =>
  ({
    username: 'Jane_Doe',
    email: 'jane@example.com',
    password: 'a perfectly fine passphrase',
    first_name: 'Jane',
    last_name: 'Doe',
    ...overrides,
  }) as RegisterDto;

describe('RegistrationService', () => {
  async function setup() {
    const kit = await buildAuthKit();
    const written = jest.fn();
    kit.get(MailOutbox).onWritten(written);
    return { kit, written, registration: kit.get(RegistrationService) };
  }

  it('stores an active, unverified customer with a bcrypt hash, the optional fields empty', async () => {
    const { kit, written, registration } = await setup();
    const store = jest.spyOn(kit.users, 'register');
    const now = new Date('2026-02-03T04:05:06.789Z');
    const user = await registration.register(input(), CLIENT, undefined, now);
    // The verification token and mail go in the registration's own write.
    const writes = store.mock.calls[0][1];
    expect(writes?.token).toMatchObject({
      userId: user.userId,
      purpose: 'verify',
      email: 'jane@example.com',
    });
    expect(writes?.mails).toEqual([
      expect.objectContaining({ to: 'jane@example.com', template: 'verify_email' }),
    ]);
    expect(user).toEqual({
      userId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      username: 'jane_doe',
      email: 'jane@example.com',
      passwordHash: expect.stringMatching(/^\$2b\$04\$/),
      firstName: 'Jane',
      lastName: 'Doe',
      phone: null,
      dateOfBirth: null,
      marketingEmailsConsent: false,
      role: 'customer',
      status: 'active',
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      credentialVersion: 0,
      emailVerified: false,
      emailVerifiedAt: null,
      passwordChangedAt: null,
      passwordChangedBySession: null,
    });
    expect(kit.users.users.get(user.userId)).toEqual(user);
    await expect(
      kit.get(PasswordHasher).verify('a perfectly fine passphrase', user.passwordHash),
    ).resolves.toBe(true);
    expect(written).toHaveBeenCalledTimes(1);
    expect(kit.audit.events).toEqual([
      { event: 'register', result: 'success', client: CLIENT, userId: user.userId },
    ]);
  });

  it('keeps the optional fields given: phone normalized, birth date, consent only when true, role', async () => {
    const { registration } = await setup();
    const user = await registration.register(
      input({
        phone: '+1 (555) 010-9999',
        date_of_birth: '1990-04-01',
        marketing_emails_consent: true,
      }),
      null,
      'admin',
    );
    expect(user).toMatchObject({
      phone: '+15550109999',
      dateOfBirth: '1990-04-01',
      marketingEmailsConsent: true,
      role: 'admin',
    });
  });

  it.each([
    ['too short', 'short', 'password must be at least'],
    [
      'containing the username',
      'jane_doe is my password',
      'password must not contain the username',
    ],
    [
      'containing the e-mail name',
      'jane jane jane jane',
      'password must not contain the part of the e-mail',
    ],
  ])(
    'refuses a password %s (422 naming password), storing nothing',
    async (_label, password, why) => {
      const { kit, registration } = await setup();
      const error = await registration
        .register(input({ password }), CLIENT)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationFailedError);
      expect((error as ValidationFailedError).errors).toEqual([
        { field: 'password', message: expect.stringMatching(new RegExp(`^${why}`)) },
      ]);
      expect(kit.users.users.size).toBe(0);
      expect(kit.audit.events).toEqual([]);
    },
  );

  it.each([
    ['username', { email: 'other@example.com' }, UsernameTakenError, 'username_taken'],
    ['e-mail', { username: 'someone_else' }, EmailTakenError, 'email_taken'],
  ] as const)('audits a taken %s as a conflict', async (_label, overrides, type, code) => {
    const { kit, written, registration } = await setup();
    await registration.register(input(), CLIENT);
    kit.audit.events.length = 0;
    written.mockClear();
    await expect(registration.register(input(overrides), CLIENT)).rejects.toBeInstanceOf(type);
    expect(kit.audit.records()).toEqual([{ event: 'register', result: 'conflict', reason: code }]);
    expect(written).not.toHaveBeenCalled();
  });

  it('passes any other store error through without an audit record', async () => {
    const { kit, registration } = await setup();
    jest.spyOn(kit.users, 'register').mockRejectedValueOnce(new Error('outage'));
    await expect(registration.register(input(), CLIENT)).rejects.toThrow('outage');
    expect(kit.audit.events).toEqual([]);
  });
});
