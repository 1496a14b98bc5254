import { AttemptDecision, LockoutPolicy, LoginAttemptRepository } from './login-attempt.repository';

/** In-memory LoginAttemptRepository with the adapter's semantics, for unit tests. */
export class InMemoryLoginAttemptRepository extends LoginAttemptRepository {
  readonly counters = new Map<string, { attempts: number; last: number }>();

  async registerAttempt(
    identifier: string,
    nowMs: number,
    policy: LockoutPolicy,
  ): Promise<AttemptDecision> {
    const now = Math.floor(nowMs / 1000);
    const current = this.counters.get(identifier);
    if (!current || current.last <= now - policy.windowSeconds) {
      this.counters.set(identifier, { attempts: 1, last: now });
      return { allowed: true, attempt: 1 };
    }
    if (current.attempts >= policy.maxFailures) {
      return {
        allowed: false,
        retryAfterSeconds: Math.max(1, current.last + policy.windowSeconds - now),
      };
    }
    this.counters.set(identifier, { attempts: current.attempts + 1, last: now });
    return { allowed: true, attempt: current.attempts + 1 };
  }

  async reset(identifier: string): Promise<void> {
    this.counters.delete(identifier);
  }
}
