import { ulid } from 'ulid';
import type { LoginAttemptRepository } from '../../auth/login-attempts/login-attempt.repository';
import { useContractFixture } from '../../database/testing/contract-fixture';
import type { ManualClock } from '../../database/testing/manual-clock';
import { newUser } from '../../database/testing/persistence-fixtures';
import type { OutboxMail } from '../../mail/mail.types';
import { newEmailToken } from '../domain/email-token';
import type { User } from '../domain/user';
import { UserNotFoundError } from '../users.errors';
import type { AccountRepository, PasswordReset } from './account.repository';
import type { UserRepository } from './user.repository';

export interface AccountRepositoryFixture {
  repo: AccountRepository;
  /** The users the account writes act on (same store). */
  users: UserRepository;
  /** The login-failure counters a reset clears (same store). */
  attempts: LoginAttemptRepository;
  /** Whether a mail with this id was written to the outbox. */
  outboxHas(mailId: string): Promise<boolean>;
  /** Removes the user item (what an account deletion racing a reset leaves). */
  deleteUser(userId: string): Promise<void>;
  cleanup(): Promise<void>;
}

/**
 * The rules every AccountRepository must keep, run against the DynamoDB adapter and the in-memory
 * fake alike: e-mail tokens (hash, expiry, the address the link went to, used once), the reset
 * transaction (credential version, lockout cleared, notice), the reset-request window per address
 * and the account status. Time comes only from `clock`.
 */
export function describeAccountRepositoryContract(
  name: string,
  makeRepo: (clock: ManualClock) => Promise<AccountRepositoryFixture>,
): void {
  describe(`AccountRepository contract: ${name}`, () => {
    const ctx = useContractFixture(makeRepo);
    let clock: ManualClock;
    let fixture: AccountRepositoryFixture;
    let repo: AccountRepository;
    let users: UserRepository;
    beforeEach(() => {
      ({ clock, fixture } = ctx);
      ({ repo, users } = fixture);
    });
    async function registered(overrides: Partial<User> = {}): Promise<User> {
      const user = newUser(clock, overrides);
      await users.register(user);
      return user;
    }

    const mail = (to: string): OutboxMail => ({
      mailId: ulid(clock.nowMs()),
      to,
      template: 'password_changed',
      sealedParams: 'sealed',
      createdAt: clock.date().toISOString(),
    });

    describe('e-mail tokens', () => {
      it('stores the token with its mails; a new token of the same purpose replaces the old', async () => {
        const user = await registered();
        const first = newEmailToken(user.userId, 'verify', user.email, clock.date());
        const firstMail = mail(user.email);
        await repo.issueToken({ token: first.record, mails: [firstMail] });
        expect(await repo.findToken(user.userId, 'verify')).toEqual(first.record);
        expect(await fixture.outboxHas(firstMail.mailId)).toBe(true);

        const second = newEmailToken(user.userId, 'verify', user.email, clock.date());
        await repo.issueToken({ token: second.record, mails: [] });
        expect(await repo.findToken(user.userId, 'verify')).toEqual(second.record);
        expect(await repo.findToken(user.userId, 'reset')).toBeNull();
      });

      it('verifies the address only for the stored hash, unexpired, sent to the current e-mail', async () => {
        const user = await registered();
        const { record } = newEmailToken(user.userId, 'verify', user.email, clock.date());
        await repo.issueToken({ token: record, mails: [] });

        expect(await repo.verifyEmail(record, 'not-the-hash', clock.date())).toBe(false);
        const atExpiry = new Date(record.expiresAt * 1000);
        expect(await repo.verifyEmail(record, record.hash, atExpiry)).toBe(false);
        expect(await users.findById(user.userId)).toMatchObject({ emailVerified: false });
        expect(await repo.findToken(user.userId, 'verify')).toEqual(record);

        clock.advanceSeconds(5);
        expect(await repo.verifyEmail(record, record.hash, clock.date())).toBe(true);
        expect(await users.findById(user.userId)).toMatchObject({
          emailVerified: true,
          emailVerifiedAt: clock.date().toISOString(),
        });
        expect(await repo.findToken(user.userId, 'verify')).toBeNull();
        // Used once: the same link again changes nothing.
        expect(await repo.verifyEmail(record, record.hash, clock.date())).toBe(false);
      });

      it('does not verify an address the user no longer has; the token stays', async () => {
        const user = await registered();
        const { record } = newEmailToken(user.userId, 'verify', 'old@example.com', clock.date());
        await repo.issueToken({ token: record, mails: [] });
        expect(await repo.verifyEmail(record, record.hash, clock.date())).toBe(false);
        expect(await users.findById(user.userId)).toMatchObject({ emailVerified: false });
        expect(await repo.findToken(user.userId, 'verify')).toEqual(record);
      });
    });

    describe('password reset', () => {
      async function withResetToken(overrides: Partial<User> = {}) {
        const user = await registered(overrides);
        const { record } = newEmailToken(user.userId, 'reset', user.email, clock.date());
        await repo.issueToken({ token: record, mails: [] });
        const notice = mail(user.email);
        const reset: PasswordReset = {
          userId: user.userId,
          username: user.username,
          tokenHash: record.hash,
          expectedVersion: user.credentialVersion,
          passwordHash: 'new-hash',
          now: clock.date(),
          notice,
        };
        return { user, record, reset, notice };
      }

      it('sets the hash, bumps the version, clears the lockout and writes the notice, at once', async () => {
        const { user, reset, notice } = await withResetToken();
        const policy = { maxFailures: 5, windowSeconds: 900 };
        await fixture.attempts.registerAttempt(user.username, clock.nowMs(), policy);
        await fixture.attempts.registerAttempt(user.username, clock.nowMs(), policy);

        expect(await repo.resetPassword(reset)).toBe('reset');
        expect(await users.findById(user.userId)).toMatchObject({
          passwordHash: 'new-hash',
          credentialVersion: 1,
          passwordChangedAt: clock.date().toISOString(),
          passwordChangedBySession: null,
        });
        // The failure count starts again from one.
        await expect(
          fixture.attempts.registerAttempt(user.username, clock.nowMs(), policy),
        ).resolves.toEqual({ allowed: true, attempt: 1 });
        expect(await repo.findToken(user.userId, 'reset')).toBeNull();
        expect(await fixture.outboxHas(notice.mailId)).toBe(true);
        // The token is spent: the same reset again is refused.
        expect(
          await repo.resetPassword({ ...reset, expectedVersion: 1, notice: mail(user.email) }),
        ).toBe('invalid_token');
      });

      it('refuses another hash or an expired token, writing nothing', async () => {
        const { user, record, reset, notice } = await withResetToken();
        expect(await repo.resetPassword({ ...reset, tokenHash: 'forged' })).toBe('invalid_token');
        const atExpiry = new Date(record.expiresAt * 1000);
        expect(await repo.resetPassword({ ...reset, now: atExpiry })).toBe('invalid_token');
        expect(await users.findById(user.userId)).toMatchObject({
          passwordHash: user.passwordHash,
          credentialVersion: 0,
        });
        expect(await repo.findToken(user.userId, 'reset')).toEqual(record);
        expect(await fixture.outboxHas(notice.mailId)).toBe(false);
      });

      it('refuses when the credential version moved since the read (concurrent update); the token stays', async () => {
        const { user, record, reset, notice } = await withResetToken({ credentialVersion: 3 });
        expect(await repo.resetPassword({ ...reset, expectedVersion: 2 })).toBe(
          'concurrent_update',
        );
        expect(await repo.resetPassword({ ...reset, expectedVersion: 4 })).toBe(
          'concurrent_update',
        );
        expect(await users.findById(user.userId)).toMatchObject({
          passwordHash: user.passwordHash,
          credentialVersion: 3,
        });
        expect(await repo.findToken(user.userId, 'reset')).toEqual(record);
        expect(await fixture.outboxHas(notice.mailId)).toBe(false);
        expect(await repo.resetPassword(reset)).toBe('reset');
        expect(await users.findById(user.userId)).toMatchObject({ credentialVersion: 4 });
      });

      it('is a concurrent update, writing nothing, when the user item is gone', async () => {
        const { user, record, reset, notice } = await withResetToken();
        await fixture.deleteUser(user.userId);
        expect(await repo.resetPassword(reset)).toBe('concurrent_update');
        expect(await users.findById(user.userId)).toBeNull();
        expect(await repo.findToken(user.userId, 'reset')).toEqual(record);
        expect(await fixture.outboxHas(notice.mailId)).toBe(false);
      });
    });

    describe('reset requests per address', () => {
      const LIMIT = 3;
      const WINDOW = 3600;

      it('allows `limit` requests in a window, then refuses until the window ends', async () => {
        const email = `${ulid().toLowerCase()}@example.com`;
        const start = clock.nowSeconds();
        for (let i = 0; i < LIMIT; i++) {
          expect(await repo.takeResetRequest(email, clock.nowMs(), LIMIT, WINDOW)).toEqual({
            allowed: true,
            retryAfterSeconds: 0,
          });
          clock.advanceSeconds(10);
        }
        expect(await repo.takeResetRequest(email, clock.nowMs(), LIMIT, WINDOW)).toEqual({
          allowed: false,
          retryAfterSeconds: start + WINDOW - clock.nowSeconds(),
        });
        // One second before the end: still refused, one second to wait.
        clock.set((start + WINDOW - 1) * 1000);
        expect(await repo.takeResetRequest(email, clock.nowMs(), LIMIT, WINDOW)).toEqual({
          allowed: false,
          retryAfterSeconds: 1,
        });
        // At the end: a new window, counted from this request.
        clock.set((start + WINDOW) * 1000);
        for (let i = 0; i < LIMIT; i++) {
          expect(await repo.takeResetRequest(email, clock.nowMs(), LIMIT, WINDOW)).toMatchObject({
            allowed: true,
          });
        }
        expect(await repo.takeResetRequest(email, clock.nowMs(), LIMIT, WINDOW)).toEqual({
          allowed: false,
          retryAfterSeconds: WINDOW,
        });
        // The new window ends one window after it began.
        clock.set((start + 2 * WINDOW - 1) * 1000);
        expect(await repo.takeResetRequest(email, clock.nowMs(), LIMIT, WINDOW)).toEqual({
          allowed: false,
          retryAfterSeconds: 1,
        });
      });

      it('counts each address on its own', async () => {
        const a = `${ulid().toLowerCase()}@example.com`;
        const b = `${ulid().toLowerCase()}@example.com`;
        await repo.takeResetRequest(a, clock.nowMs(), 1, WINDOW);
        expect(await repo.takeResetRequest(a, clock.nowMs(), 1, WINDOW)).toMatchObject({
          allowed: false,
        });
        expect(await repo.takeResetRequest(b, clock.nowMs(), 1, WINDOW)).toMatchObject({
          allowed: true,
        });
      });

      it('lets exactly `limit` of many concurrent first requests through, every time', async () => {
        // A burst on an address with no window yet: the requests that lose the race to start the
        // window must still be counted in it, not refused while it has room.
        for (let round = 0; round < 5; round++) {
          const email = `${ulid().toLowerCase()}@example.com`;
          const results = await Promise.all(
            Array.from({ length: 8 }, () =>
              repo.takeResetRequest(email, clock.nowMs(), LIMIT, WINDOW),
            ),
          );
          expect(results.filter((r) => r.allowed)).toHaveLength(LIMIT);
        }
      });
    });

    describe('account status', () => {
      it('disables with a credential-version bump (old sessions stay dead); enabling keeps the version', async () => {
        const user = await registered({ credentialVersion: 2 });
        const now = clock.date().toISOString();
        const disabled = await repo.setStatus(user.userId, 'disabled', {
          actorId: 'admin-1',
          reason: 'fraud review',
          now,
        });
        expect(disabled).toMatchObject({
          status: 'disabled',
          credentialVersion: 3,
          updatedAt: now,
        });
        expect(await users.findById(user.userId)).toEqual(disabled);

        clock.advanceSeconds(60);
        const later = clock.date().toISOString();
        const enabled = await repo.setStatus(user.userId, 'active', {
          actorId: 'admin-1',
          reason: null,
          now: later,
        });
        // Enabling does not bring old sessions back: the version stays bumped.
        expect(enabled).toMatchObject({ status: 'active', credentialVersion: 3, updatedAt: later });
        expect(await users.findById(user.userId)).toEqual(enabled);
      });

      it('refuses an unknown user without creating an item', async () => {
        const ghost = newUser(clock);
        await expect(
          repo.setStatus(ghost.userId, 'disabled', {
            actorId: 'admin-1',
            reason: null,
            now: clock.date().toISOString(),
          }),
        ).rejects.toBeInstanceOf(UserNotFoundError);
        expect(await users.findById(ghost.userId)).toBeNull();
      });
    });
  });
}
