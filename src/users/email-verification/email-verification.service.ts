import { Inject, Injectable } from '@nestjs/common';
import { LOGGER, Logger } from '../../common/logging/logger';
import { MailOutbox } from '../../mail/mail-outbox';
import { accountLink } from '../../mail/templates';
import {
  AccountWrites,
  EmailToken,
  newEmailToken,
  parseEmailToken,
  tokenMatches,
} from '../domain/email-token';
import type { User } from '../domain/user';
import { AccountRepository } from '../persistence/account.repository';
import { UserRepository } from '../persistence/user.repository';
import { InvalidEmailTokenError, UserNotFoundError } from '../users.errors';

/**
 * E-mail verification: a token (hash stored, 24 h, the latest one only) and its mail are written in
 * the transaction that registers the user or changes the address, or by a resend; following the link
 * consumes the token and marks exactly that address verified. Tokens never reach a log line.
 */
@Injectable()
export class EmailVerificationService {
  constructor(
    private readonly users: UserRepository,
    private readonly accounts: AccountRepository,
    private readonly outbox: MailOutbox,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Token + verification mail for a new user (written with the registration). */
  registrationWrites(user: User, now = new Date()): AccountWrites & { token: EmailToken } {
    return this.verificationWrites(user.userId, user.username, user.email, now);
  }

  /** Token + link to the new address + notice to the old one (written with the change). */
  emailChangeWrites(user: User, newEmail: string, now = new Date()): AccountWrites {
    const writes = this.verificationWrites(user.userId, user.username, newEmail, now);
    const notice = this.outbox.compose(
      user.email,
      'email_changed',
      { username: user.username, old_email: user.email, new_email: newEmail },
      now,
    );
    return { token: writes.token, mails: [...writes.mails, notice] };
  }

  /** Sends a fresh link (older links stop working). False when the address is already verified. */
  async resend(userId: string, now = new Date()): Promise<boolean> {
    const user = await this.users.findById(userId);
    if (!user) throw new UserNotFoundError();
    if (user.emailVerified) return false;
    await this.accounts.issueToken(this.registrationWrites(user, now));
    this.outbox.written();
    this.audit('email_verification_sent', user.userId);
    return true;
  }

  async verify(token: string, now = new Date()): Promise<User> {
    const parsed = parseEmailToken(token);
    if (!parsed) throw new InvalidEmailTokenError();
    const stored = await this.accounts.findToken(parsed.userId, 'verify');
    if (!stored || !tokenMatches(stored, parsed.hash, now.getTime())) {
      this.audit('email_verify', parsed.userId, 'invalid_token');
      throw new InvalidEmailTokenError();
    }
    if (!(await this.accounts.verifyEmail(stored, parsed.hash, now))) {
      this.audit('email_verify', parsed.userId, 'token_or_address_changed');
      throw new InvalidEmailTokenError();
    }
    this.audit('email_verify', parsed.userId);
    const user = await this.users.findById(parsed.userId);
    if (!user) throw new UserNotFoundError();
    return user;
  }

  private verificationWrites(
    userId: string,
    username: string,
    email: string,
    now: Date,
  ): AccountWrites & { token: EmailToken } {
    const { token, record } = newEmailToken(userId, 'verify', email, now);
    const link = accountLink(this.outbox.appBaseUrl, 'verify-email', token);
    const mail = this.outbox.compose(email, 'verify_email', { username, email, link }, now);
    return { token: record, mails: [mail] };
  }

  private audit(event: string, userId: string, reason?: string): void {
    const entry = { audit: true, event: `account.${event}`, user_id: userId, reason };
    if (reason) this.logger.warn(entry, `account ${event} failed`);
    else this.logger.info(entry, `account ${event}`);
  }
}
