import { LoginAttemptRepository } from '../../auth/login-attempts/login-attempt.repository';
import type { OutboxMail } from '../../mail/mail.types';
import type { AccountWrites, EmailToken, EmailTokenPurpose } from '../domain/email-token';
import type { User, UserStatus } from '../domain/user';
import { UserNotFoundError } from '../users.errors';
import {
  AccountRepository,
  PasswordReset,
  RequestAllowance,
  ResetOutcome,
} from './account.repository';
import { InMemoryUserRepository } from './user.repository.fake';

const seconds = (date: Date | number) =>
  Math.floor((typeof date === 'number' ? date : date.getTime()) / 1000);

/**
 * In-memory AccountRepository for unit tests, on the users of an InMemoryUserRepository and the
 * counters of a LoginAttemptRepository; the same outcomes as the DynamoDB adapter (the contract
 * suite runs against both). Mails written with a token land in `mails`.
 */
export class InMemoryAccountRepository extends AccountRepository {
  readonly tokens = new Map<string, EmailToken>();
  readonly mails: OutboxMail[] = [];
  readonly resetRequests = new Map<string, { count: number; windowEndsAt: number }>();

  constructor(
    private readonly users: InMemoryUserRepository,
    private readonly attempts: LoginAttemptRepository,
  ) {
    super();
  }

  private key(userId: string, purpose: EmailTokenPurpose): string {
    return `${userId}#${purpose}`;
  }

  async issueToken(writes: AccountWrites & { token: EmailToken }): Promise<void> {
    this.tokens.set(this.key(writes.token.userId, writes.token.purpose), writes.token);
    this.mails.push(...writes.mails);
  }

  async findToken(userId: string, purpose: EmailTokenPurpose): Promise<EmailToken | null> {
    return this.tokens.get(this.key(userId, purpose)) ?? null;
  }

  /** The token condition of both consuming writes: this hash, not yet expired. */
  private tokenHolds(userId: string, purpose: EmailTokenPurpose, hash: string, now: Date) {
    const stored = this.tokens.get(this.key(userId, purpose));
    return stored !== undefined && stored.hash === hash && stored.expiresAt > seconds(now);
  }

  async verifyEmail(token: EmailToken, tokenHash: string, now: Date): Promise<boolean> {
    const user = this.users.users.get(token.userId);
    if (!this.tokenHolds(token.userId, 'verify', tokenHash, now)) return false;
    if (!user || user.email !== token.email) return false;
    this.tokens.delete(this.key(token.userId, 'verify'));
    const at = now.toISOString();
    this.users.users.set(user.userId, {
      ...user,
      emailVerified: true,
      emailVerifiedAt: at,
      updatedAt: at,
    });
    return true;
  }

  async resetPassword(reset: PasswordReset): Promise<ResetOutcome> {
    if (!this.tokenHolds(reset.userId, 'reset', reset.tokenHash, reset.now)) return 'invalid_token';
    const user = this.users.users.get(reset.userId);
    if (!user || user.credentialVersion !== reset.expectedVersion) return 'concurrent_update';
    const at = reset.now.toISOString();
    this.tokens.delete(this.key(reset.userId, 'reset'));
    this.users.users.set(user.userId, {
      ...user,
      passwordHash: reset.passwordHash,
      credentialVersion: reset.expectedVersion + 1,
      passwordChangedAt: at,
      passwordChangedBySession: null,
      updatedAt: at,
    });
    await this.attempts.reset(reset.username);
    this.mails.push(reset.notice);
    return 'reset';
  }

  async takeResetRequest(
    email: string,
    nowMs: number,
    limit: number,
    windowSeconds: number,
  ): Promise<RequestAllowance> {
    const now = seconds(nowMs);
    const current = this.resetRequests.get(email);
    if (current && current.windowEndsAt > now) {
      if (current.count >= limit) {
        return { allowed: false, retryAfterSeconds: Math.max(1, current.windowEndsAt - now) };
      }
      current.count += 1;
      return { allowed: true, retryAfterSeconds: 0 };
    }
    this.resetRequests.set(email, { count: 1, windowEndsAt: now + windowSeconds });
    return { allowed: true, retryAfterSeconds: 0 };
  }

  async setStatus(
    userId: string,
    status: UserStatus,
    change: { actorId: string; reason: string | null; now: string },
  ): Promise<User> {
    const user = this.users.users.get(userId);
    if (!user) throw new UserNotFoundError();
    const updated: User = {
      ...user,
      status,
      updatedAt: change.now,
      credentialVersion: user.credentialVersion + (status === 'disabled' ? 1 : 0),
    };
    this.users.users.set(userId, updated);
    return updated;
  }
}
