import { RateLimitedError, ValidationFailedError } from '../../common/errors';
import { LOGGER } from '../../common/logging/logger';
import { MailOutbox } from '../../mail/mail-outbox';
import { EMAIL_TOKEN_TTL_SECONDS } from '../../users/domain/email-token';
import { ConcurrentUpdateError, InvalidEmailTokenError } from '../../users/users.errors';
import { LoginService } from '../login.service';
import { SessionService } from '../sessions/session.service';
import { buildAuthKit, CLIENT } from '../testing/unit-kit';
import {
  PasswordResetService,
  RESET_REQUEST_MIN_MS,
  RESET_REQUEST_WINDOW_SECONDS,
  RESET_REQUESTS_PER_WINDOW,
} from './password-reset.service';

const PASSWORD = 'a perfectly fine passphrase';
const NEW_PASSWORD = 'another entirely fine passphrase';

describe('PasswordResetService', () => {
  async function setup() {
    const kit = await buildAuthKit();
    const user = await kit.register({ username: 'jane_doe', email: 'jane@example.com' });
    kit.audit.events.length = 0;
    const outbox = kit.get(MailOutbox);
    const written = jest.fn();
    outbox.onWritten(written);
    return { kit, user, outbox, written, reset: kit.get(PasswordResetService) };
  }

  /** The token inside the newest reset mail's link (as the user's browser would read it). */
  function tokenFromMail(kit: Awaited<ReturnType<typeof setup>>['kit'], outbox: MailOutbox) {
    const mail = [...kit.accounts.mails].reverse().find((m) => m.template === 'password_reset')!;
    const link = outbox.open(mail.sealedParams)!.link;
    return decodeURIComponent(link.slice(link.indexOf('#token=') + '#token='.length));
  }

  describe('request', () => {
    it('stores a 30-minute token and mails its link to an active account', async () => {
      const { kit, user, outbox, written, reset } = await setup();
      const now = new Date();
      await reset.request('jane@example.com', CLIENT, now);
      const stored = await kit.accounts.findToken(user.userId, 'reset');
      expect(stored).toMatchObject({
        userId: user.userId,
        purpose: 'reset',
        email: 'jane@example.com',
        expiresAt: Math.floor(now.getTime() / 1000) + EMAIL_TOKEN_TTL_SECONDS.reset,
      });
      expect(kit.accounts.mails).toEqual([
        expect.objectContaining({ to: 'jane@example.com', template: 'password_reset' }),
      ]);
      const params = outbox.open(kit.accounts.mails[0].sealedParams)!;
      expect(params.username).toBe('jane_doe');
      expect(params.link).toMatch(
        new RegExp(`^${kit.config.mail.appBaseUrl}/reset-password#token=${user.userId}\\.`),
      );
      expect(written).toHaveBeenCalledTimes(1);
      expect(kit.audit.records()).toEqual([
        { event: 'password_reset_request', result: 'success', userId: user.userId },
      ]);
    });

    it('answers an unknown address the same way, writing nothing', async () => {
      const { kit, written, reset } = await setup();
      await expect(reset.request('nobody@example.com', CLIENT)).resolves.toBeUndefined();
      expect(kit.accounts.tokens.size).toBe(0);
      expect(kit.accounts.mails).toEqual([]);
      expect(written).not.toHaveBeenCalled();
      expect(kit.audit.records()).toEqual([
        {
          event: 'password_reset_request',
          result: 'failure',
          userId: null,
          identifier: 'nobody@example.com',
          reason: 'unknown_address',
        },
      ]);
    });

    it('sends nothing for a disabled account', async () => {
      const { kit, user, reset } = await setup();
      kit.users.users.set(user.userId, { ...user, status: 'disabled' });
      await reset.request('jane@example.com', CLIENT);
      expect(kit.accounts.tokens.size).toBe(0);
      expect(kit.accounts.mails).toEqual([]);
      expect(kit.audit.records()).toEqual([
        {
          event: 'password_reset_request',
          result: 'failure',
          userId: user.userId,
          reason: 'disabled',
        },
      ]);
    });

    it.each(['jane@example.com', 'nobody@example.com'])(
      'refuses the request after the limit per window for %s, saying when to retry',
      async (email) => {
        const { kit, reset } = await setup();
        const start = new Date();
        for (let i = 0; i < RESET_REQUESTS_PER_WINDOW; i++) {
          await reset.request(email, CLIENT, start);
        }
        kit.audit.events.length = 0;
        const mailsBefore = kit.accounts.mails.length;
        const tenLater = new Date(start.getTime() + 10_000);
        const refused = await reset.request(email, CLIENT, tenLater).catch((e: unknown) => e);
        expect(refused).toBeInstanceOf(RateLimitedError);
        expect(refused).toMatchObject({
          status: 429,
          code: 'rate_limited',
          detail: 'Too many password reset requests for this address; try again later.',
          headers: { 'Retry-After': String(RESET_REQUEST_WINDOW_SECONDS - 10) },
        });
        expect(kit.accounts.mails).toHaveLength(mailsBefore);
        expect(kit.audit.records()).toEqual([
          expect.objectContaining({ event: 'password_reset_request', result: 'locked' }),
        ]);
      },
    );

    it(`answers no sooner than ${RESET_REQUEST_MIN_MS} ms, known address or not, failing or not`, async () => {
      const { kit, reset } = await setup();
      // The service's own clock and timer, faked: the floor is checked exactly, not against wall time.
      jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
      try {
        const settledAfterFloor = async (run: () => Promise<unknown>) => {
          let settled = false;
          const promise = run().then(
            () => (settled = true),
            () => (settled = true),
          );
          await jest.advanceTimersByTimeAsync(RESET_REQUEST_MIN_MS - 1);
          expect(settled).toBe(false);
          await jest.advanceTimersByTimeAsync(1);
          await promise;
          expect(settled).toBe(true);
        };
        await settledAfterFloor(() => reset.request('jane@example.com', CLIENT));
        await settledAfterFloor(() => reset.request('nobody@example.com', CLIENT));
        jest.spyOn(kit.accounts, 'takeResetRequest').mockRejectedValueOnce(new Error('outage'));
        await settledAfterFloor(() => reset.request('jane@example.com', CLIENT));
      } finally {
        jest.useRealTimers();
      }
    });
  });

  describe('confirm', () => {
    async function requested() {
      const ctx = await setup();
      const session = await ctx.kit.get(SessionService).start(ctx.user, CLIENT);
      await ctx.reset.request('jane@example.com', CLIENT);
      ctx.kit.audit.events.length = 0;
      ctx.written.mockClear();
      return { ...ctx, session, token: tokenFromMail(ctx.kit, ctx.outbox) };
    }

    it('sets the new password, ends every session, clears the lockout and mails a notice', async () => {
      const { kit, user, outbox, written, reset, token } = await requested();
      const login = kit.get(LoginService);
      for (let i = 0; i < 5; i++) await login.login('jane_doe', 'wrong', CLIENT).catch(() => 0);
      await reset.confirm(token, NEW_PASSWORD, CLIENT);

      expect(kit.users.users.get(user.userId)).toMatchObject({ credentialVersion: 1 });
      expect(kit.sessions.sessions.size).toBe(0);
      expect(await kit.accounts.findToken(user.userId, 'reset')).toBeNull();
      const notice = kit.accounts.mails.at(-1)!;
      expect(notice).toMatchObject({ to: 'jane@example.com', template: 'password_changed' });
      expect(outbox.open(notice.sealedParams)).toMatchObject({ username: 'jane_doe' });
      expect(written).toHaveBeenCalledTimes(1);
      const audit = kit.audit.records('password_reset');
      expect(audit).toEqual([
        { event: 'password_reset', result: 'success', userId: user.userId, count: 1 },
      ]);
      // Not locked out any more, and only the new password works.
      await expect(login.login('jane_doe', PASSWORD, CLIENT)).rejects.toMatchObject({
        code: 'invalid_credentials',
      });
      await expect(login.login('jane_doe', NEW_PASSWORD, CLIENT)).resolves.toMatchObject({
        userId: user.userId,
      });
      // The link works once.
      await expect(reset.confirm(token, `${NEW_PASSWORD} 2`, CLIENT)).rejects.toBeInstanceOf(
        InvalidEmailTokenError,
      );
    });

    it.each([
      ['malformed', () => 'not-a-token', null],
      ['invalid_token', (t: string) => `${t.split('.')[0]}.${'A'.repeat(43)}`, 'user'],
    ])('refuses a %s token, changing nothing', async (reason, mangle, who) => {
      const { kit, user, reset, token } = await requested();
      await expect(reset.confirm(mangle(token), NEW_PASSWORD, CLIENT)).rejects.toMatchObject({
        status: 400,
        code: 'invalid_token',
      });
      expect(kit.audit.records()).toEqual([
        {
          event: 'password_reset',
          result: 'failure',
          userId: who ? user.userId : null,
          reason,
        },
      ]);
      expect(kit.users.users.get(user.userId)).toMatchObject({ credentialVersion: 0 });
      expect(await kit.accounts.findToken(user.userId, 'reset')).not.toBeNull();
    });

    it('refuses an expired token', async () => {
      const { kit, user, reset, token } = await requested();
      const stored = (await kit.accounts.findToken(user.userId, 'reset'))!;
      jest.useFakeTimers({ now: stored.expiresAt * 1000, doNotFake: ['setTimeout'] });
      try {
        await expect(reset.confirm(token, NEW_PASSWORD, CLIENT)).rejects.toBeInstanceOf(
          InvalidEmailTokenError,
        );
      } finally {
        jest.useRealTimers();
      }
      expect(kit.users.users.get(user.userId)).toMatchObject({ credentialVersion: 0 });
    });

    it('refuses a token of a user that no longer exists', async () => {
      const { kit, user, reset, token } = await requested();
      kit.users.users.delete(user.userId);
      await expect(reset.confirm(token, NEW_PASSWORD, CLIENT)).rejects.toBeInstanceOf(
        InvalidEmailTokenError,
      );
      expect(kit.audit.records()).toEqual([
        { event: 'password_reset', result: 'failure', userId: user.userId, reason: 'user_gone' },
      ]);
    });

    it.each([
      ['short', 'must be at least'],
      ['jane_doe and more words', 'must not contain the username'],
      ['jane plus several more words', 'must not contain the part of the e-mail'],
    ])(
      'refuses the weak new password %j with a field error, keeping the token',
      async (weak, why) => {
        const { kit, user, reset, token } = await requested();
        const error = await reset.confirm(token, weak, CLIENT).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ValidationFailedError);
        expect((error as ValidationFailedError).errors).toEqual([
          {
            field: 'new_password',
            message: expect.stringMatching(new RegExp(`^new_password ${why}`)),
          },
        ]);
        expect(await kit.accounts.findToken(user.userId, 'reset')).not.toBeNull();
        expect(kit.users.users.get(user.userId)).toMatchObject({ credentialVersion: 0 });
      },
    );

    it('a token spent by a racing confirm is invalid (token_used), not a success', async () => {
      const { kit, user, written, reset, token } = await requested();
      jest.spyOn(kit.accounts, 'resetPassword').mockResolvedValueOnce('invalid_token');
      await expect(reset.confirm(token, NEW_PASSWORD, CLIENT)).rejects.toBeInstanceOf(
        InvalidEmailTokenError,
      );
      expect(kit.audit.records()).toEqual([
        { event: 'password_reset', result: 'failure', userId: user.userId, reason: 'token_used' },
      ]);
      expect(written).not.toHaveBeenCalled();
    });

    it('a credential version moved since the read is a 409 concurrent update', async () => {
      const { kit, user, written, reset, token } = await requested();
      kit.users.users.set(user.userId, { ...user, credentialVersion: 5 });
      jest.spyOn(kit.users, 'findById').mockResolvedValueOnce(user);
      await expect(reset.confirm(token, NEW_PASSWORD, CLIENT)).rejects.toBeInstanceOf(
        ConcurrentUpdateError,
      );
      expect(kit.audit.records()).toEqual([]);
      expect(written).not.toHaveBeenCalled();
      expect(await kit.accounts.findToken(user.userId, 'reset')).not.toBeNull();
    });

    it('still succeeds when deleting the dead sessions fails, and warns', async () => {
      const { kit, user, reset, token } = await requested();
      jest.spyOn(kit.sessions, 'revokeAllExcept').mockRejectedValueOnce(new Error('throttled'));
      const warn = jest.spyOn(kit.get(LOGGER), 'warn');
      await reset.confirm(token, NEW_PASSWORD, CLIENT);
      expect(warn).toHaveBeenCalledWith(
        { user_id: user.userId, err: 'throttled' },
        'session clean-up after a password reset failed; those sessions are already rejected',
      );
      expect(kit.audit.records()).toEqual([
        { event: 'password_reset', result: 'success', userId: user.userId, count: 0 },
      ]);
      expect(kit.users.users.get(user.userId)).toMatchObject({ credentialVersion: 1 });
    });
  });
});
