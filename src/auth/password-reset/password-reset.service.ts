import { Inject, Injectable } from '@nestjs/common';
import type { ClientContext } from '../../common/decorators/client-context.decorator';
import { RateLimitedError, ValidationFailedError } from '../../common/errors';
import { LOGGER, Logger } from '../../common/logging/logger';
import { MailOutbox } from '../../mail/mail-outbox';
import { accountLink } from '../../mail/templates';
import { newEmailToken, parseEmailToken, tokenMatches } from '../../users/domain/email-token';
import { AccountRepository } from '../../users/persistence/account.repository';
import { UserRepository } from '../../users/persistence/user.repository';
import { ConcurrentUpdateError, InvalidEmailTokenError } from '../../users/users.errors';
import { AuthAudit } from '../audit/auth-audit';
import { passwordContextProblem } from '../password/password-context';
import { PasswordHasher } from '../password/password-hasher';
import { passwordProblem } from '../password/password-policy';
import { SessionService } from '../sessions/session.service';

/** Reset requests per address per window (SPEC §4: 3 an hour), counted in DynamoDB for every replica. */
export const RESET_REQUESTS_PER_WINDOW = 3;
export const RESET_REQUEST_WINDOW_SECONDS = 3600;
/**
 * Every request answer takes at least this long, so a known address (a token transaction) and an
 * unknown one (none) cannot be told apart by timing; both normally finish well inside it.
 */
export const RESET_REQUEST_MIN_MS = 150;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Password reset. A request answers the same 202 whether the address exists or not, after the
 * same minimum time; for an active account it writes a reset token (hash only, 30 min, replacing any
 * earlier one) and its mail in one transaction. Confirming consumes the token and, in the same
 * transaction, stores the new hash with `credential_version + 1` (every session and refresh token of
 * the user is dead from that write on), clears the login lockout and writes the notice mail.
 */
@Injectable()
export class PasswordResetService {
  constructor(
    private readonly users: UserRepository,
    private readonly accounts: AccountRepository,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionService,
    private readonly outbox: MailOutbox,
    private readonly audit: AuthAudit,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** `email` is in canonical form (the DTO). Throws only RateLimitedError (or 503). */
  async request(email: string, client: ClientContext, now = new Date()): Promise<void> {
    const started = Date.now();
    try {
      await this.requestUnpadded(email, client, now);
    } finally {
      const left = RESET_REQUEST_MIN_MS - (Date.now() - started);
      if (left > 0) await sleep(left);
    }
  }

  async confirm(token: string, newPassword: string, client: ClientContext): Promise<void> {
    const now = new Date();
    const parsed = parseEmailToken(token);
    if (!parsed) return this.invalid(client, null, 'malformed');
    const stored = await this.accounts.findToken(parsed.userId, 'reset');
    if (!tokenMatches(stored, parsed.hash, now.getTime())) {
      return this.invalid(client, parsed.userId, 'invalid_token');
    }
    const user = await this.users.findById(parsed.userId);
    if (!user) return this.invalid(client, parsed.userId, 'user_gone');
    const problem =
      passwordProblem(newPassword) ??
      passwordContextProblem(newPassword, { username: user.username, email: user.email });
    if (problem) {
      throw new ValidationFailedError([
        { field: 'new_password', message: `new_password ${problem}` },
      ]);
    }
    const notice = this.outbox.compose(
      user.email,
      'password_changed',
      { username: user.username, changed_at: now.toISOString() },
      now,
    );
    const outcome = await this.accounts.resetPassword({
      userId: user.userId,
      username: user.username,
      tokenHash: parsed.hash,
      expectedVersion: user.credentialVersion,
      passwordHash: await this.hasher.hash(newPassword),
      now,
      notice,
    });
    if (outcome === 'invalid_token') return this.invalid(client, user.userId, 'token_used');
    if (outcome === 'concurrent_update') throw new ConcurrentUpdateError();
    this.outbox.written();
    let revoked = 0;
    try {
      // Already dead by credential_version; deleting the items is clean-up.
      revoked = await this.sessions.revokeAllExcept(user.userId);
    } catch (err) {
      this.logger.warn(
        { user_id: user.userId, err: (err as Error).message },
        'session clean-up after a password reset failed; those sessions are already rejected',
      );
    }
    this.audit.record('password_reset', 'success', client, { userId: user.userId, count: revoked });
  }

  private async requestUnpadded(email: string, client: ClientContext, now: Date): Promise<void> {
    // Counted for every address, known or not, so a 429 says nothing about the address either.
    const allowance = await this.accounts.takeResetRequest(
      email,
      now.getTime(),
      RESET_REQUESTS_PER_WINDOW,
      RESET_REQUEST_WINDOW_SECONDS,
    );
    const user = await this.users.findByUsernameOrEmail(email);
    const who = { userId: user?.userId ?? null, identifier: user ? undefined : email };
    if (!allowance.allowed) {
      this.audit.record('password_reset_request', 'locked', client, who);
      throw new RateLimitedError(
        allowance.retryAfterSeconds,
        'rate_limited',
        'Too many password reset requests for this address; try again later.',
      );
    }
    if (!user || user.status !== 'active') {
      this.audit.record('password_reset_request', 'failure', client, {
        ...who,
        reason: user ? 'disabled' : 'unknown_address',
      });
      return;
    }
    const { token, record } = newEmailToken(user.userId, 'reset', user.email, now);
    const link = accountLink(this.outbox.appBaseUrl, 'reset-password', token);
    const mail = this.outbox.compose(
      user.email,
      'password_reset',
      { username: user.username, link },
      now,
    );
    await this.accounts.issueToken({ token: record, mails: [mail] });
    this.outbox.written();
    this.audit.record('password_reset_request', 'success', client, { userId: user.userId });
  }

  private invalid(client: ClientContext, userId: string | null, reason: string): never {
    this.audit.record('password_reset', 'failure', client, { userId, reason });
    throw new InvalidEmailTokenError();
  }
}
