import { Test } from '@nestjs/testing';
import type { User } from './domain/user';
import { UserRepository } from './persistence/user.repository';
import { InMemoryUserRepository } from './persistence/user.repository.fake';
import { EmailTakenError, UserNotFoundError } from './users.errors';
import { toProfileChanges, UsersService } from './users.service';
import { unitConfig } from '../auth/testing/unit-kit';
import { createLogger, LOGGER } from '../common/logging/logger';
import { APP_CONFIG } from '../config';
import { MailOutbox } from '../mail/mail-outbox';
import { EmailVerificationService } from './email-verification/email-verification.service';
import { AccountRepository } from './persistence/account.repository';

function user(id: string, overrides: Partial<User> = {}): User {
  return {
    userId: id,
    username: `user_${id}`,
    email: `${id}@example.com`,
    passwordHash: 'hash',
    firstName: 'Jane',
    lastName: 'Doe',
    phone: '+15550109999',
    dateOfBirth: '1990-04-01',
    marketingEmailsConsent: true,
    role: 'customer',
    status: 'active',
    createdAt: '2024-01-01T00:00:00.000Z',
    updatedAt: '2024-01-01T00:00:00.000Z',
    credentialVersion: 0,
    emailVerified: false,
    emailVerifiedAt: null,
    passwordChangedAt: null,
    passwordChangedBySession: null,
    ...overrides,
  };
}

describe('UsersService', () => {
  let users: InMemoryUserRepository;
  let service: UsersService;
  let written: jest.Mock;

  beforeEach(async () => {
    users = new InMemoryUserRepository();
    await users.register(user('a'));
    await users.register(user('b'));
    const module = await Test.createTestingModule({
      providers: [
        UsersService,
        EmailVerificationService,
        MailOutbox,
        { provide: UserRepository, useValue: users },
        { provide: AccountRepository, useValue: {} },
        { provide: APP_CONFIG, useValue: unitConfig() },
        { provide: LOGGER, useValue: createLogger('silent') },
      ],
    }).compile();
    service = module.get(UsersService);
    written = jest.fn();
    module.get(MailOutbox).onWritten(written);
  });

  it('reads a profile and 404s for an unknown user', async () => {
    await expect(service.getProfile('a')).resolves.toMatchObject({ username: 'user_a' });
    await expect(service.getProfile('zzz')).rejects.toBeInstanceOf(UserNotFoundError);
  });

  it('changes given fields, keeps absent ones and clears the ones sent as null', async () => {
    const now = new Date('2024-02-02T00:00:00.000Z');
    const updated = await service.updateProfile(
      'a',
      { first_name: 'Janet', phone: null, date_of_birth: null, marketing_emails_consent: null },
      now,
    );
    expect(updated).toMatchObject({
      firstName: 'Janet',
      lastName: 'Doe',
      phone: null,
      dateOfBirth: null,
      marketingEmailsConsent: false,
      updatedAt: now.toISOString(),
    });
  });

  it('normalizes a new phone number', async () => {
    expect((await service.updateProfile('a', { phone: '(555) 010-1234' })).phone).toBe(
      '5550101234',
    );
  });

  it('moves the e-mail guard, and refuses an e-mail another user has', async () => {
    await service.updateProfile('a', { email: 'new@example.com' });
    expect(users.emails.get('new@example.com')).toBe('a');
    expect(users.emails.has('a@example.com')).toBe(false);
    await expect(service.updateProfile('a', { email: 'b@example.com' })).rejects.toBeInstanceOf(
      EmailTakenError,
    );
  });

  it('changes nothing for an empty body', async () => {
    const before = await service.getProfile('a');
    await expect(service.updateProfile('a', {})).resolves.toEqual(before);
  });

  it('writes a link to a new address and a notice to the old one with the change, then wakes the dispatcher', async () => {
    const update = jest.spyOn(users, 'updateProfile');
    const now = new Date('2026-03-01T12:00:00.000Z');
    await service.updateProfile('a', { email: 'new@example.com' }, now);
    const [current, changes, at, writes] = update.mock.calls[0];
    expect(current.email).toBe('a@example.com');
    expect(changes).toEqual({ email: 'new@example.com' });
    expect(at).toBe('2026-03-01T12:00:00.000Z');
    expect(writes?.token).toMatchObject({
      userId: 'a',
      purpose: 'verify',
      email: 'new@example.com',
    });
    expect(writes?.mails.map((m) => [m.to, m.template])).toEqual([
      ['new@example.com', 'verify_email'],
      ['a@example.com', 'email_changed'],
    ]);
    expect(written).toHaveBeenCalledTimes(1);
  });

  it('writes no mail when the e-mail sent is the current one, or only other fields change', async () => {
    const update = jest.spyOn(users, 'updateProfile');
    await service.updateProfile('a', { email: 'a@example.com', first_name: 'Janet' });
    await service.updateProfile('a', { last_name: 'Smith' });
    expect(update.mock.calls.map((call) => call[3])).toEqual([undefined, undefined]);
    expect(written).not.toHaveBeenCalled();
    expect(await service.getProfile('a')).toMatchObject({ firstName: 'Janet', lastName: 'Smith' });
  });

  it('stores a marketing consent of exactly true as true and anything else as false', () => {
    expect(toProfileChanges({ marketing_emails_consent: true })).toEqual({
      marketingEmailsConsent: true,
    });
    expect(toProfileChanges({ marketing_emails_consent: false })).toEqual({
      marketingEmailsConsent: false,
    });
    expect(toProfileChanges({ phone: null, date_of_birth: null })).toEqual({
      phone: null,
      dateOfBirth: null,
    });
  });
});
