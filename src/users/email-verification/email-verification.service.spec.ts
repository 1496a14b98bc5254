import { buildAuthKit } from '../../auth/testing/unit-kit';
import { LOGGER } from '../../common/logging/logger';
import { MailOutbox } from '../../mail/mail-outbox';
import { EMAIL_TOKEN_TTL_SECONDS } from '../domain/email-token';
import { InvalidEmailTokenError, UserNotFoundError } from '../users.errors';
import { EmailVerificationService } from './email-verification.service';

describe('EmailVerificationService', () => {
  async function setup() {
    const kit = await buildAuthKit();
    const user = await kit.register({ username: 'jane_doe', email: 'jane@example.com' });
    const outbox = kit.get(MailOutbox);
    const written = jest.fn();
    outbox.onWritten(written);
    const logger = kit.get(LOGGER);
    return {
      kit,
      user,
      outbox,
      written,
      info: jest.spyOn(logger, 'info'),
      warn: jest.spyOn(logger, 'warn'),
      service: kit.get(EmailVerificationService),
    };
  }

  const tokenOf = (outbox: MailOutbox, sealed: string) => {
    const link = outbox.open(sealed)!.link;
    return decodeURIComponent(link.slice(link.indexOf('#token=') + '#token='.length));
  };

  it('registration writes a 24-hour token for the address and a verification mail with its link', async () => {
    const { kit, user, outbox, service } = await setup();
    const now = new Date();
    const writes = service.registrationWrites(user, now);
    expect(writes.token).toMatchObject({
      userId: user.userId,
      purpose: 'verify',
      email: 'jane@example.com',
      createdAt: now.toISOString(),
      expiresAt: Math.floor(now.getTime() / 1000) + EMAIL_TOKEN_TTL_SECONDS.verify,
    });
    expect(writes.mails).toEqual([
      expect.objectContaining({ to: 'jane@example.com', template: 'verify_email' }),
    ]);
    const params = outbox.open(writes.mails[0].sealedParams)!;
    expect(params).toMatchObject({ username: 'jane_doe', email: 'jane@example.com' });
    expect(params.link).toMatch(
      new RegExp(`^${kit.config.mail.appBaseUrl}/verify-email#token=${user.userId}\\.`),
    );
  });

  it('an e-mail change links the new address and sends a notice to the old one', async () => {
    const { user, outbox, service } = await setup();
    const writes = service.emailChangeWrites(user, 'new@example.com');
    expect(writes.token).toMatchObject({ email: 'new@example.com', purpose: 'verify' });
    expect(writes.mails.map((m) => [m.to, m.template])).toEqual([
      ['new@example.com', 'verify_email'],
      ['jane@example.com', 'email_changed'],
    ]);
    expect(outbox.open(writes.mails[1].sealedParams)).toEqual({
      username: 'jane_doe',
      old_email: 'jane@example.com',
      new_email: 'new@example.com',
    });
  });

  it('resend replaces the link (the old one stops working) and tells the dispatcher', async () => {
    const { kit, user, outbox, written, info, service } = await setup();
    expect(await service.resend(user.userId)).toBe(true);
    const first = tokenOf(outbox, kit.accounts.mails[0].sealedParams);
    expect(await service.resend(user.userId)).toBe(true);
    const second = tokenOf(outbox, kit.accounts.mails[1].sealedParams);
    expect(written).toHaveBeenCalledTimes(2);
    expect(info).toHaveBeenCalledWith(
      { audit: true, event: 'account.email_verification_sent', user_id: user.userId },
      'account email_verification_sent',
    );
    await expect(service.verify(first)).rejects.toBeInstanceOf(InvalidEmailTokenError);
    await expect(service.verify(second)).resolves.toMatchObject({ emailVerified: true });
  });

  it('resend does nothing for a verified address and refuses an unknown user', async () => {
    const { kit, user, written, service } = await setup();
    kit.users.users.set(user.userId, { ...user, emailVerified: true });
    expect(await service.resend(user.userId)).toBe(false);
    expect(kit.accounts.mails).toEqual([]);
    expect(written).not.toHaveBeenCalled();
    await expect(service.resend('00000000-0000-4000-8000-000000000000')).rejects.toBeInstanceOf(
      UserNotFoundError,
    );
  });

  it('verify marks exactly the linked address verified, once', async () => {
    const { kit, user, outbox, info, service } = await setup();
    await service.resend(user.userId);
    const token = tokenOf(outbox, kit.accounts.mails[0].sealedParams);
    const now = new Date();
    const verified = await service.verify(token, now);
    expect(verified).toMatchObject({
      userId: user.userId,
      emailVerified: true,
      emailVerifiedAt: now.toISOString(),
    });
    expect(info).toHaveBeenCalledWith(
      { audit: true, event: 'account.email_verify', user_id: user.userId },
      'account email_verify',
    );
    await expect(service.verify(token, now)).rejects.toBeInstanceOf(InvalidEmailTokenError);
  });

  it.each([
    ['malformed', () => 'not-a-token'],
    ['another secret', (t: string) => `${t.split('.')[0]}.${'A'.repeat(43)}`],
  ])('verify refuses a %s token, changing nothing', async (_label, mangle) => {
    const { kit, user, outbox, service } = await setup();
    await service.resend(user.userId);
    const token = tokenOf(outbox, kit.accounts.mails[0].sealedParams);
    await expect(service.verify(mangle(token))).rejects.toMatchObject({
      status: 400,
      code: 'invalid_token',
    });
    expect(kit.users.users.get(user.userId)).toMatchObject({ emailVerified: false });
    expect(await kit.accounts.findToken(user.userId, 'verify')).not.toBeNull();
  });

  it('verify refuses an expired link, with a warning that says why', async () => {
    const { kit, user, outbox, warn, service } = await setup();
    await service.resend(user.userId);
    const token = tokenOf(outbox, kit.accounts.mails[0].sealedParams);
    const stored = (await kit.accounts.findToken(user.userId, 'verify'))!;
    await expect(service.verify(token, new Date(stored.expiresAt * 1000))).rejects.toBeInstanceOf(
      InvalidEmailTokenError,
    );
    expect(warn).toHaveBeenCalledWith(
      {
        audit: true,
        event: 'account.email_verify',
        user_id: user.userId,
        reason: 'invalid_token',
      },
      'account email_verify failed',
    );
    expect(kit.users.users.get(user.userId)).toMatchObject({ emailVerified: false });
  });

  it('verify refuses a link to an address the user has since changed', async () => {
    const { kit, user, outbox, warn, service } = await setup();
    await service.resend(user.userId);
    const token = tokenOf(outbox, kit.accounts.mails[0].sealedParams);
    kit.users.users.set(user.userId, { ...user, email: 'other@example.com' });
    await expect(service.verify(token)).rejects.toBeInstanceOf(InvalidEmailTokenError);
    expect(warn).toHaveBeenCalledWith(
      expect.objectContaining({ reason: 'token_or_address_changed' }),
      'account email_verify failed',
    );
    expect(kit.users.users.get(user.userId)).toMatchObject({ emailVerified: false });
  });

  it('verify answers 404 when the user vanished right after the write', async () => {
    const { kit, user, outbox, service } = await setup();
    await service.resend(user.userId);
    const token = tokenOf(outbox, kit.accounts.mails[0].sealedParams);
    jest.spyOn(kit.users, 'findById').mockResolvedValueOnce(null);
    await expect(service.verify(token)).rejects.toBeInstanceOf(UserNotFoundError);
  });
});
