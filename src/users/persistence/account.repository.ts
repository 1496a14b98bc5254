import type { OutboxMail } from '../../mail/mail.types';
import type { AccountWrites, EmailToken, EmailTokenPurpose } from '../domain/email-token';
import type { User, UserStatus } from '../domain/user';

export interface PasswordReset {
  readonly userId: string;
  readonly username: string;
  /** The hash of the presented token: the reset applies only while it is the stored one, unexpired. */
  readonly tokenHash: string;
  /** The credential version read with the user; the write bumps it (every session dies). */
  readonly expectedVersion: number;
  readonly passwordHash: string;
  readonly now: Date;
  /** The "your password was changed" notice, in the same transaction. */
  readonly notice: OutboxMail;
}

export type ResetOutcome = 'reset' | 'invalid_token' | 'concurrent_update';

export interface RequestAllowance {
  readonly allowed: boolean;
  readonly retryAfterSeconds: number;
}

/**
 * Port for account recovery and administration state on the user: e-mail tokens (`TOKEN#<purpose>`,
 * hash only, the latest one per purpose), their consumption, the per-address reset-request window,
 * and the account status. Token-consuming writes are single transactions conditioned on the hash.
 */
export abstract class AccountRepository {
  /** Stores the token (replacing, and so killing, the previous one) and its mails, at once. */
  abstract issueToken(writes: AccountWrites & { token: EmailToken }): Promise<void>;

  /** The current token of that purpose, or null. */
  abstract findToken(userId: string, purpose: EmailTokenPurpose): Promise<EmailToken | null>;

  /**
   * Deletes the verification token (only while its hash is `tokenHash` and it is unexpired) and
   * marks the address verified (only while the user's e-mail is still `token.email`). False when
   * either condition failed: nothing was written.
   */
  abstract verifyEmail(token: EmailToken, tokenHash: string, now: Date): Promise<boolean>;

  /**
   * One transaction: deletes the reset token (hash, expiry), stores the new hash with
   * `credential_version + 1`, clears the login-failure counter and writes the notice mail.
   */
  abstract resetPassword(reset: PasswordReset): Promise<ResetOutcome>;

  /**
   * Counts one reset request for an address in a fixed window shared by every replica (a
   * conditional counter); refused once `limit` requests were made in the window.
   */
  abstract takeResetRequest(
    email: string,
    nowMs: number,
    limit: number,
    windowSeconds: number,
  ): Promise<RequestAllowance>;

  /** Sets `status` (with who, why and when for a disable). @throws UserNotFoundError */
  abstract setStatus(
    userId: string,
    status: UserStatus,
    change: { actorId: string; reason: string | null; now: string },
  ): Promise<User>;
}
