import type { SessionRepository } from '../../auth/sessions/session.repository';
import { useContractFixture } from '../../database/testing/contract-fixture';
import type { ManualClock } from '../../database/testing/manual-clock';
import { newSession, newUser } from '../../database/testing/persistence-fixtures';
import type { User } from '../domain/user';
import {
  ChangerSessionGoneError,
  ConcurrentUpdateError,
  EmailTakenError,
  UserNotFoundError,
  UsernameTakenError,
} from '../users.errors';
import type { UserRepository } from './user.repository';

export interface UserRepositoryFixture {
  repo: UserRepository;
  /** The session store a password change moves the changer session in (same table / same fake). */
  sessions: SessionRepository;
  cleanup(): Promise<void>;
}

/**
 * The rules every UserRepository must keep, run against the DynamoDB adapter and the in-memory
 * fake alike: uniqueness, the conditional password change and rehash, concurrent updates.
 */
export function describeUserRepositoryContract(
  name: string,
  makeRepo: (clock: ManualClock) => Promise<UserRepositoryFixture>,
): void {
  describe(`UserRepository contract: ${name}`, () => {
    const ctx = useContractFixture(makeRepo);
    let clock: ManualClock;
    let fixture: UserRepositoryFixture;
    let repo: UserRepository;
    beforeEach(() => {
      ({ clock, fixture } = ctx);
      repo = fixture.repo;
    });

    async function registered(overrides: Partial<User> = {}): Promise<User> {
      const user = newUser(clock, overrides);
      await repo.register(user);
      return user;
    }
    const later = (): string => {
      clock.advance(1000);
      return clock.date().toISOString();
    };

    describe('registration and reads', () => {
      it('stores every field and finds the user by id, username and e-mail', async () => {
        // Every optional field set (a new user has most of them empty; the mapping must not care).
        const user = await registered({
          phone: '+15555550100',
          dateOfBirth: '1990-02-03',
          marketingEmailsConsent: true,
          role: 'admin',
          credentialVersion: 2,
          emailVerified: true,
          emailVerifiedAt: '2026-01-01T00:00:01.000Z',
          passwordChangedAt: '2026-01-01T00:00:02.000Z',
          passwordChangedBySession: '01JABCDEFGHJKMNPQRSTVWXYZ0',
        });
        await expect(repo.findById(user.userId)).resolves.toEqual(user);
        await expect(repo.findByUsernameOrEmail(user.username)).resolves.toEqual(user);
        await expect(repo.findByUsernameOrEmail(user.email)).resolves.toEqual(user);
        const bare = await registered();
        await expect(repo.findById(bare.userId)).resolves.toEqual(bare);
      });

      it('finds nobody for unknown ids, usernames and e-mails', async () => {
        await expect(repo.findById('00000000-0000-4000-8000-000000000000')).resolves.toBeNull();
        await expect(repo.findByUsernameOrEmail('nobody_here_at_all')).resolves.toBeNull();
        await expect(repo.findByUsernameOrEmail('nobody@example.com')).resolves.toBeNull();
      });

      it('refuses a taken username or e-mail and writes nothing for the loser', async () => {
        const first = await registered();
        const sameName = newUser(clock, { username: first.username });
        await expect(repo.register(sameName)).rejects.toBeInstanceOf(UsernameTakenError);
        await expect(repo.findById(sameName.userId)).resolves.toBeNull();
        await expect(repo.findByUsernameOrEmail(sameName.email)).resolves.toBeNull();
        const sameEmail = newUser(clock, { email: first.email });
        await expect(repo.register(sameEmail)).rejects.toBeInstanceOf(EmailTakenError);
        await expect(repo.findById(sameEmail.userId)).resolves.toBeNull();
        await expect(repo.findByUsernameOrEmail(sameEmail.username)).resolves.toBeNull();
        await expect(repo.findByUsernameOrEmail(first.email)).resolves.toEqual(first);
      });

      it('lets exactly one of two racing registrations of one username win', async () => {
        const a = newUser(clock);
        const b = newUser(clock, { username: a.username });
        const results = await Promise.allSettled([repo.register(a), repo.register(b)]);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
        expect(lost.reason).toBeInstanceOf(UsernameTakenError);
      });
    });

    describe('profile updates', () => {
      it('sets and clears optional fields', async () => {
        const user = await registered({ phone: '+15555550100' });
        const now = later();
        const updated = await repo.updateProfile(
          user,
          {
            firstName: 'New',
            phone: null,
            dateOfBirth: '2000-01-01',
            marketingEmailsConsent: true,
          },
          now,
        );
        const expected = {
          ...user,
          firstName: 'New',
          phone: null,
          dateOfBirth: '2000-01-01',
          marketingEmailsConsent: true,
          updatedAt: now,
        };
        expect(updated).toEqual(expected);
        await expect(repo.findById(user.userId)).resolves.toEqual(expected);
      });

      it('keeps the verification of an unchanged address; a new address is unverified', async () => {
        const verifiedAt = clock.date().toISOString();
        const user = await registered({ emailVerified: true, emailVerifiedAt: verifiedAt });
        const renamed = await repo.updateProfile(
          user,
          { firstName: 'Same', email: user.email },
          later(),
        );
        expect(renamed).toMatchObject({ emailVerified: true, emailVerifiedAt: verifiedAt });
        const now = later();
        const moved = await repo.updateProfile(renamed, { email: `new_${user.email}` }, now);
        const expected = {
          ...renamed,
          email: `new_${user.email}`,
          emailVerified: false,
          emailVerifiedAt: null,
          updatedAt: now,
        };
        expect(moved).toEqual(expected);
        await expect(repo.findById(user.userId)).resolves.toEqual(expected);
      });

      it('moves the e-mail guard with an e-mail change', async () => {
        const user = await registered();
        const email = `moved_${user.username}@example.com`;
        const updated = await repo.updateProfile(user, { email }, later());
        expect(updated.email).toBe(email);
        await expect(repo.findByUsernameOrEmail(email)).resolves.toMatchObject({
          userId: user.userId,
        });
        await expect(repo.findByUsernameOrEmail(user.email)).resolves.toBeNull();
        // The old address is free again.
        const next = await registered({ email: user.email });
        await expect(repo.findByUsernameOrEmail(user.email)).resolves.toMatchObject({
          userId: next.userId,
        });
      });

      it('refuses an e-mail another user has and changes nothing', async () => {
        const user = await registered();
        const other = await registered();
        await expect(
          repo.updateProfile(user, { email: other.email, firstName: 'X' }, later()),
        ).rejects.toBeInstanceOf(EmailTakenError);
        await expect(repo.findById(user.userId)).resolves.toEqual(user);
        await expect(repo.findByUsernameOrEmail(other.email)).resolves.toEqual(other);
      });

      it('refuses an e-mail change based on a stale read (409) and changes nothing', async () => {
        const user = await registered();
        const moved = await repo.updateProfile(user, { email: `a_${user.email}` }, later());
        await expect(
          repo.updateProfile(user, { email: `b_${user.email}` }, later()),
        ).rejects.toBeInstanceOf(ConcurrentUpdateError);
        await expect(repo.findById(user.userId)).resolves.toEqual(moved);
        await expect(repo.findByUsernameOrEmail(`b_${user.email}`)).resolves.toBeNull();
      });

      it('answers UserNotFoundError for a user that does not exist', async () => {
        await expect(
          repo.updateProfile(newUser(clock), { firstName: 'Ghost' }, later()),
        ).rejects.toBeInstanceOf(UserNotFoundError);
      });
    });

    describe('password change (credential_version)', () => {
      it('writes the hash, bumps the version and moves the changer session with it', async () => {
        const user = await registered();
        const changer = newSession(clock, user);
        const other = newSession(clock, user);
        await fixture.sessions.create(changer);
        await fixture.sessions.create(other);
        const now = later();
        await repo.changePassword(user.userId, 0, 'hash-2', now, changer.sessionId);
        await expect(repo.findById(user.userId)).resolves.toEqual({
          ...user,
          passwordHash: 'hash-2',
          credentialVersion: 1,
          updatedAt: now,
          passwordChangedAt: now,
          passwordChangedBySession: changer.sessionId,
        });
        const moved = await fixture.sessions.findWithOwner(user.userId, changer.sessionId);
        expect(moved.session?.credentialVersion).toBe(1);
        expect(moved.owner?.credentialVersion).toBe(1);
        const left = await fixture.sessions.findWithOwner(user.userId, other.sessionId);
        expect(left.session?.credentialVersion).toBe(0);
      });

      it('counts versions up across changes; a change without a session records none', async () => {
        const user = await registered();
        const changer = newSession(clock, user);
        await fixture.sessions.create(changer);
        await repo.changePassword(user.userId, 0, 'hash-2', later(), changer.sessionId);
        const now = later();
        await repo.changePassword(user.userId, 1, 'hash-3', now, null);
        await expect(repo.findById(user.userId)).resolves.toMatchObject({
          passwordHash: 'hash-3',
          credentialVersion: 2,
          passwordChangedAt: now,
          passwordChangedBySession: null,
        });
      });

      it.each([
        ['the version moved since the read (stale 0 after 1)', 1, 0],
        ['the version moved since the read (stale 1 after 2)', 2, 1],
        ['the expected version is ahead of the stored one', 0, 1],
      ])(
        'refuses with ConcurrentUpdateError when %s and writes nothing',
        async (_, stored, expected) => {
          const user = await registered();
          for (let v = 0; v < stored; v++) {
            await repo.changePassword(user.userId, v, `hash-v${v + 1}`, later(), null);
          }
          const before = await repo.findById(user.userId);
          const changer = newSession(clock, before!);
          await fixture.sessions.create(changer);
          await expect(
            repo.changePassword(user.userId, expected, 'hash-lost', later(), changer.sessionId),
          ).rejects.toBeInstanceOf(ConcurrentUpdateError);
          await expect(repo.findById(user.userId)).resolves.toEqual(before);
          const session = await fixture.sessions.findWithOwner(user.userId, changer.sessionId);
          expect(session.session?.credentialVersion).toBe(stored);
        },
      );

      it('lets exactly one of two concurrent changes from the same version win (409 for the other)', async () => {
        const user = await registered();
        const results = await Promise.allSettled([
          repo.changePassword(user.userId, 0, 'hash-a', later(), null),
          repo.changePassword(user.userId, 0, 'hash-b', later(), null),
        ]);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
        expect(lost.reason).toBeInstanceOf(ConcurrentUpdateError);
        const stored = await repo.findById(user.userId);
        expect(stored?.credentialVersion).toBe(1);
        expect(['hash-a', 'hash-b']).toContain(stored?.passwordHash);
      });

      it('refuses when the changer session was revoked meanwhile and writes nothing', async () => {
        const user = await registered();
        const changer = newSession(clock, user);
        await fixture.sessions.create(changer);
        await fixture.sessions.revoke(user.userId, changer.sessionId);
        await expect(
          repo.changePassword(user.userId, 0, 'hash-2', later(), changer.sessionId),
        ).rejects.toBeInstanceOf(ChangerSessionGoneError);
        await expect(repo.findById(user.userId)).resolves.toEqual(user);
      });

      it('refuses a change for a user that does not exist and creates nothing', async () => {
        const ghost = newUser(clock);
        await expect(
          repo.changePassword(ghost.userId, 0, 'hash-2', later(), null),
        ).rejects.toBeInstanceOf(ConcurrentUpdateError);
        await expect(repo.findById(ghost.userId)).resolves.toBeNull();
      });
    });

    describe('conditional rehash', () => {
      it('replaces the hash while it is still the one read, leaving the version alone', async () => {
        const user = await registered();
        const now = later();
        await expect(
          repo.rehashPassword(user.userId, user.passwordHash, 'rehashed', now),
        ).resolves.toBe(true);
        await expect(repo.findById(user.userId)).resolves.toEqual({
          ...user,
          passwordHash: 'rehashed',
          updatedAt: now,
        });
      });

      it('is not applied when the hash changed meanwhile (a password change won)', async () => {
        const user = await registered();
        await repo.changePassword(user.userId, 0, 'changed', later(), null);
        const afterChange = await repo.findById(user.userId);
        await expect(
          repo.rehashPassword(user.userId, user.passwordHash, 'rehash-of-old', later()),
        ).resolves.toBe(false);
        await expect(repo.findById(user.userId)).resolves.toEqual(afterChange);
      });

      it('is not applied for a user that does not exist, and creates nothing', async () => {
        const ghost = newUser(clock);
        await expect(
          repo.rehashPassword(ghost.userId, ghost.passwordHash, 'rehashed', later()),
        ).resolves.toBe(false);
        await expect(repo.findById(ghost.userId)).resolves.toBeNull();
      });
    });

    describe('roles', () => {
      it('promotes and demotes; an unknown user is UserNotFoundError', async () => {
        const user = await registered();
        const now = later();
        await expect(repo.setRole(user.userId, 'admin', now)).resolves.toEqual({
          ...user,
          role: 'admin',
          updatedAt: now,
        });
        await repo.setRole(user.userId, 'customer', later());
        await expect(repo.findById(user.userId)).resolves.toMatchObject({ role: 'customer' });
        await expect(repo.setRole(newUser(clock).userId, 'admin', later())).rejects.toBeInstanceOf(
          UserNotFoundError,
        );
      });
    });
  });
}
