import { randomUUID } from 'node:crypto';
import { useContractFixture } from '../../database/testing/contract-fixture';
import type { ManualClock } from '../../database/testing/manual-clock';
import { LockoutPolicy, LoginAttemptRepository } from './login-attempt.repository';

export interface LoginAttemptRepositoryFixture {
  repo: LoginAttemptRepository;
  cleanup(): Promise<void>;
}

const POLICY: LockoutPolicy = { maxFailures: 3, windowSeconds: 900 };

/**
 * The lockout rules every LoginAttemptRepository must keep, run against the DynamoDB adapter and
 * the in-memory fake alike. Time comes only from `clock` (the port takes `nowMs`).
 */
export function describeLoginAttemptRepositoryContract(
  name: string,
  makeRepo: (clock: ManualClock) => Promise<LoginAttemptRepositoryFixture>,
): void {
  describe(`LoginAttemptRepository contract: ${name}`, () => {
    const ctx = useContractFixture(makeRepo);
    let clock: ManualClock;
    let repo: LoginAttemptRepository;
    let id: string;
    beforeEach(() => {
      ({ clock } = ctx);
      repo = ctx.fixture.repo;
      id = `someone-${randomUUID()}`;
    });

    const attempt = (identifier = id) => repo.registerAttempt(identifier, clock.nowMs(), POLICY);

    async function lockOut(): Promise<void> {
      for (let i = 1; i <= POLICY.maxFailures; i++) {
        await expect(attempt()).resolves.toEqual({ allowed: true, attempt: i });
      }
    }

    it('counts attempts up to the limit, then refuses for the whole window', async () => {
      await lockOut();
      await expect(attempt()).resolves.toEqual({
        allowed: false,
        retryAfterSeconds: POLICY.windowSeconds,
      });
    });

    it('keeps the lock until one second before the window after the last counted attempt ends', async () => {
      await lockOut();
      clock.advanceSeconds(POLICY.windowSeconds - 1);
      await expect(attempt()).resolves.toEqual({ allowed: false, retryAfterSeconds: 1 });
    });

    it('lifts the lock once the window has passed and counts afresh from 1', async () => {
      await lockOut();
      clock.advanceSeconds(POLICY.windowSeconds);
      await expect(attempt()).resolves.toEqual({ allowed: true, attempt: 1 });
      await expect(attempt()).resolves.toEqual({ allowed: true, attempt: 2 });
    });

    it('does not extend the lock with attempts made while locked', async () => {
      await lockOut();
      clock.advanceSeconds(600);
      await expect(attempt()).resolves.toEqual({
        allowed: false,
        retryAfterSeconds: POLICY.windowSeconds - 600,
      });
      clock.advanceSeconds(POLICY.windowSeconds - 600);
      await expect(attempt()).resolves.toEqual({ allowed: true, attempt: 1 });
    });

    it('slides the window with each counted attempt: failures just inside it still add up', async () => {
      await expect(attempt()).resolves.toEqual({ allowed: true, attempt: 1 });
      clock.advanceSeconds(POLICY.windowSeconds - 1);
      await expect(attempt()).resolves.toEqual({ allowed: true, attempt: 2 });
      clock.advanceSeconds(POLICY.windowSeconds - 1);
      await expect(attempt()).resolves.toEqual({ allowed: true, attempt: 3 });
      await expect(attempt()).resolves.toMatchObject({ allowed: false });
    });

    it('forgets failures once a whole window has passed since the last one', async () => {
      await attempt();
      await attempt();
      clock.advanceSeconds(POLICY.windowSeconds);
      await expect(attempt()).resolves.toEqual({ allowed: true, attempt: 1 });
    });

    it('reset clears the counter and a locked identifier', async () => {
      await lockOut();
      await repo.reset(id);
      await expect(attempt()).resolves.toEqual({ allowed: true, attempt: 1 });
      await repo.reset(`never-seen-${randomUUID()}`); // nothing to reset is fine
    });

    it('keeps identifiers apart', async () => {
      await lockOut();
      await expect(attempt(`${id}-other`)).resolves.toEqual({ allowed: true, attempt: 1 });
    });

    it('lets exactly the limit through when attempts race (no overshoot)', async () => {
      const results = await Promise.all(Array.from({ length: 8 }, () => attempt()));
      const allowed = results.filter((r) => r.allowed);
      expect(allowed).toHaveLength(POLICY.maxFailures);
      expect(allowed.map((r) => (r.allowed ? r.attempt : 0)).sort()).toEqual([1, 2, 3]);
    });

    it('restarts a stale window once when attempts race after it ended', async () => {
      await lockOut();
      clock.advanceSeconds(POLICY.windowSeconds + 5);
      const results = await Promise.all(Array.from({ length: 6 }, () => attempt()));
      const allowed = results.filter((r) => r.allowed);
      expect(allowed).toHaveLength(POLICY.maxFailures);
      expect(allowed.map((r) => (r.allowed ? r.attempt : 0)).sort()).toEqual([1, 2, 3]);
    });
  });
}
