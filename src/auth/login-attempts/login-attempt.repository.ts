/** Outcome of registering one login attempt for an identifier. */
export type AttemptDecision =
  | {
      allowed: true;
      /** 1-based count of unreset attempts in the window, this one included. */ attempt: number;
    }
  | { allowed: false; retryAfterSeconds: number };

export interface LockoutPolicy {
  /** Failed attempts allowed before the identifier is locked. */
  maxFailures: number;
  /** Failures older than this (since the last one) are forgotten; also the lock duration. */
  windowSeconds: number;
}

/**
 * Port for the per-identifier failure counter (SPEC §5 `LOGIN#<identifier>`, with a TTL, shared by
 * every replica). An attempt is counted *before* the password is checked, atomically, so parallel
 * guesses cannot overshoot the limit; a successful login resets the counter.
 */
export abstract class LoginAttemptRepository {
  abstract registerAttempt(
    identifier: string,
    nowMs: number,
    policy: LockoutPolicy,
  ): Promise<AttemptDecision>;
  abstract reset(identifier: string): Promise<void>;
}
