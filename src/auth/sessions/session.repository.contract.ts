import { useContractFixture } from '../../database/testing/contract-fixture';
import type { ManualClock } from '../../database/testing/manual-clock';
import { newSession, newUser } from '../../database/testing/persistence-fixtures';
import type { User } from '../../users/domain/user';
import type { UserRepository } from '../../users/persistence/user.repository';
import type { AuthAudit } from '../audit/auth-audit';
import { InvalidRefreshTokenError } from '../auth.errors';
import { AuditRecorder, CLIENT, unitConfig } from '../testing/unit-kit';
import { JwtAccessTokenAuthenticator } from '../tokens/jwt-access-token.authenticator';
import { TokenService } from '../tokens/token.service';
import type { Session, SessionRotation } from './session';
import type { SessionRepository } from './session.repository';
import { SessionService } from './session.service';

export interface SessionRepositoryFixture {
  repo: SessionRepository;
  /** Where the sessions' owners live (same table / the fake the session fake reads owners from). */
  users: UserRepository;
  cleanup(): Promise<void>;
}

const DAY = 86400;
const REFRESH_TTL = 7 * DAY;

/**
 * What every SessionRepository must do, run against the DynamoDB adapter and the in-memory fake
 * alike: the port on its own (compare-and-set rotation, owner read from the user item, revocation),
 * then the session rules that depend on what it stores (expiry, sliding expiry, demotion, password
 * change) through the real SessionService and access-token check, all on one manual clock.
 */
export function describeSessionRepositoryContract(
  name: string,
  makeRepo: (clock: ManualClock) => Promise<SessionRepositoryFixture>,
): void {
  describe(`SessionRepository contract: ${name}`, () => {
    const ctx = useContractFixture(makeRepo);
    let clock: ManualClock;
    let fixture: SessionRepositoryFixture;
    let repo: SessionRepository;
    beforeEach(() => {
      ({ clock, fixture } = ctx);
      repo = fixture.repo;
    });

    async function owner(overrides: Partial<User> = {}): Promise<User> {
      const user = newUser(clock, overrides);
      await fixture.users.register(user);
      return user;
    }
    async function started(user: User, overrides: Partial<Session> = {}): Promise<Session> {
      clock.advance(1); // distinct, ordered ULIDs
      const session = newSession(clock, user, REFRESH_TTL, overrides);
      await repo.create(session);
      return session;
    }
    /** The rotation a refresh of `session` now would write. */
    const rotation = (session: Session, overrides: Partial<SessionRotation> = {}) => ({
      refreshHash: 'next-hash',
      usedRefreshHashes: [session.refreshHash],
      lastUsedAt: clock.date().toISOString(),
      expiresAt: clock.nowSeconds() + REFRESH_TTL,
      ip: null,
      userAgent: 'other-agent',
      ...overrides,
    });

    describe('the port', () => {
      it('reads a session back with its owner summary from the user item', async () => {
        const user = await owner();
        const session = await started(user, { usedRefreshHashes: ['old-1', 'old-2'] });
        await expect(repo.findWithOwner(user.userId, session.sessionId)).resolves.toEqual({
          session,
          owner: {
            username: user.username,
            role: 'customer',
            status: 'active',
            credentialVersion: 0,
          },
        });
        const bare = await started(user, { ip: null, userAgent: null });
        expect((await repo.findWithOwner(user.userId, bare.sessionId)).session).toEqual(bare);
      });

      it('returns no session for an unknown id, and no owner for an unknown user', async () => {
        const user = await owner();
        const session = await started(user);
        await expect(
          repo.findWithOwner(user.userId, '01ARZ3NDEKTSV4RRFFQ69G5FAV'),
        ).resolves.toEqual({
          session: null,
          owner: expect.objectContaining({ username: user.username }),
        });
        const ghost = newUser(clock);
        await expect(repo.findWithOwner(ghost.userId, session.sessionId)).resolves.toEqual({
          session: null,
          owner: null,
        });
      });

      it('reads role and credential version from the user item as it is now (demotion applies)', async () => {
        const user = await owner({ role: 'admin' });
        const session = await started(user);
        expect((await repo.findWithOwner(user.userId, session.sessionId)).owner?.role).toBe(
          'admin',
        );
        await fixture.users.setRole(user.userId, 'customer', clock.date().toISOString());
        expect((await repo.findWithOwner(user.userId, session.sessionId)).owner?.role).toBe(
          'customer',
        );
        await fixture.users.changePassword(
          user.userId,
          0,
          'hash-2',
          clock.date().toISOString(),
          null,
        );
        const after = await repo.findWithOwner(user.userId, session.sessionId);
        expect(after.owner?.credentialVersion).toBe(1);
        expect(after.session?.credentialVersion).toBe(0);
      });

      it('rotates only from the expected hash, storing the new hash, expiry and client', async () => {
        const user = await owner();
        const session = await started(user);
        clock.advanceSeconds(DAY);
        const next = rotation(session);
        await expect(
          repo.rotate(user.userId, session.sessionId, 'not-the-hash', next),
        ).resolves.toBe('reused');
        expect((await repo.findWithOwner(user.userId, session.sessionId)).session).toEqual(session);
        await expect(
          repo.rotate(user.userId, session.sessionId, session.refreshHash, next),
        ).resolves.toBe('rotated');
        expect((await repo.findWithOwner(user.userId, session.sessionId)).session).toEqual({
          ...session,
          ...next,
        });
        // The old hash no longer rotates: the token redeems once.
        await expect(
          repo.rotate(user.userId, session.sessionId, session.refreshHash, next),
        ).resolves.toBe('reused');
        // A rotation without client details clears both.
        const bare = rotation({ ...session, ...next }, { refreshHash: 'third', userAgent: null });
        await repo.rotate(user.userId, session.sessionId, next.refreshHash, bare);
        expect((await repo.findWithOwner(user.userId, session.sessionId)).session).toEqual({
          ...session,
          ...bare,
        });
      });

      it('reports a rotation of a revoked session as gone and does not bring it back', async () => {
        const user = await owner();
        const session = await started(user);
        await expect(repo.revoke(user.userId, session.sessionId)).resolves.toBe(true);
        await expect(repo.revoke(user.userId, session.sessionId)).resolves.toBe(false);
        const next = { ...session, refreshHash: 'next-hash' };
        await expect(
          repo.rotate(user.userId, session.sessionId, session.refreshHash, next),
        ).resolves.toBe('gone');
        expect((await repo.findWithOwner(user.userId, session.sessionId)).session).toBeNull();
      });

      it('lets exactly one of two racing rotations of one hash win; the other sees reuse', async () => {
        const user = await owner();
        const session = await started(user);
        const rotation = (hash: string) => ({ ...session, refreshHash: hash });
        const results = await Promise.all([
          repo.rotate(user.userId, session.sessionId, session.refreshHash, rotation('a')),
          repo.rotate(user.userId, session.sessionId, session.refreshHash, rotation('b')),
        ]);
        expect([...results].sort()).toEqual(['reused', 'rotated']);
      });

      it("lists a user's sessions only, and revokes all but one (more than one batch)", async () => {
        const user = await owner();
        const other = await owner();
        const mine: Session[] = [];
        for (let i = 0; i < 27; i++) mine.push(await started(user));
        const theirs = await started(other);
        const listed = await repo.listByUser(user.userId);
        expect(listed.map((s) => s.sessionId).sort()).toEqual(mine.map((s) => s.sessionId).sort());
        await expect(repo.revokeAllExcept(user.userId, mine[3].sessionId)).resolves.toBe(26);
        expect(await repo.listByUser(user.userId)).toEqual([mine[3]]);
        await expect(repo.revokeAllExcept(user.userId)).resolves.toBe(1);
        await expect(repo.listByUser(user.userId)).resolves.toEqual([]);
        await expect(repo.listByUser(other.userId)).resolves.toEqual([theirs]);
      });
    });

    describe('session rules through SessionService and the access-token check', () => {
      let sessions: SessionService;
      let auth: JwtAccessTokenAuthenticator;

      beforeEach(() => {
        const config = unitConfig();
        const tokens = new TokenService(config);
        const audit = new AuditRecorder() as unknown as AuthAudit;
        sessions = new SessionService(repo, tokens, audit, config);
        auth = new JwtAccessTokenAuthenticator(tokens, repo, clock.nowMs);
      });

      const refresh = (token: string) => sessions.refresh(token, CLIENT, clock.date());
      const login = (user: User) => sessions.start(user, CLIENT, clock.date());

      it('accepts an access token until its session expires, then refuses it', async () => {
        const user = await owner();
        const tokens = await login(user);
        clock.advanceSeconds(REFRESH_TTL - 1);
        await expect(auth.authenticate(tokens.accessToken)).resolves.toMatchObject({
          userId: user.userId,
        });
        clock.advanceSeconds(1);
        await expect(auth.authenticate(tokens.accessToken)).rejects.toMatchObject({
          status: 401,
          code: 'invalid_token',
        });
      });

      it('refuses a refresh once the session expired, and ends the session', async () => {
        const user = await owner();
        const tokens = await login(user);
        clock.advanceSeconds(REFRESH_TTL);
        await expect(refresh(tokens.refreshToken)).rejects.toBeInstanceOf(InvalidRefreshTokenError);
        expect((await repo.findWithOwner(user.userId, tokens.sessionId)).session).toBeNull();
      });

      it('slides the session expiry with each refresh (access check and refresh alike)', async () => {
        const user = await owner();
        const first = await login(user);
        clock.advanceSeconds(6 * DAY);
        const second = await refresh(first.refreshToken);
        expect((await repo.findWithOwner(user.userId, first.sessionId)).session?.expiresAt).toBe(
          clock.nowSeconds() + REFRESH_TTL,
        );
        clock.advanceSeconds(6 * DAY); // 12 days after login, 6 after the refresh
        await expect(auth.authenticate(second.accessToken)).resolves.toMatchObject({
          sessionId: first.sessionId,
        });
        const third = await refresh(second.refreshToken);
        clock.advanceSeconds(REFRESH_TTL); // a full lifetime after the last refresh
        await expect(auth.authenticate(third.accessToken)).rejects.toMatchObject({ status: 401 });
        await expect(refresh(third.refreshToken)).rejects.toBeInstanceOf(InvalidRefreshTokenError);
      });

      it('lists only live sessions', async () => {
        const user = await owner();
        const early = await login(user);
        clock.advanceSeconds(DAY);
        const late = await login(user);
        clock.advanceSeconds(REFRESH_TTL - DAY);
        const listed = await sessions.list(user.userId, clock.date());
        expect(listed.map((s) => s.sessionId)).toEqual([late.sessionId]);
        expect(early.sessionId).not.toBe(late.sessionId);
      });

      it('applies a demotion to access tokens already issued', async () => {
        const user = await owner({ role: 'admin' });
        const tokens = await login(user);
        await expect(auth.authenticate(tokens.accessToken)).resolves.toMatchObject({
          role: 'admin',
        });
        await fixture.users.setRole(user.userId, 'customer', clock.date().toISOString());
        await expect(auth.authenticate(tokens.accessToken)).resolves.toMatchObject({
          role: 'customer',
        });
      });

      it("ends every other session with a password change, the changer's lives on", async () => {
        const user = await owner();
        const other = await login(user);
        const changer = await login(user);
        await fixture.users.changePassword(
          user.userId,
          0,
          'hash-2',
          clock.date().toISOString(),
          changer.sessionId,
        );
        await expect(auth.authenticate(other.accessToken)).rejects.toMatchObject({ status: 401 });
        await expect(refresh(other.refreshToken)).rejects.toBeInstanceOf(InvalidRefreshTokenError);
        const same = { userId: changer.userId, sessionId: changer.sessionId };
        await expect(auth.authenticate(changer.accessToken)).resolves.toMatchObject(same);
        const rotated = await refresh(changer.refreshToken);
        await expect(auth.authenticate(rotated.accessToken)).resolves.toMatchObject(same);
      });
    });
  });
}
