import type { MailMessage } from '../mail.types';

/** Port: hands one rendered message to a mail system. Throws when it was not accepted. */
export abstract class MailTransport {
  /** Resolves with where it went (a file path for the local transport), for the log. */
  abstract send(message: MailMessage): Promise<{ file?: string }>;
  abstract close(): void;
}
