import { createTransport, type Transporter } from 'nodemailer';
import type { MailMessage } from '../mail.types';
import { MailTransport } from './mail-transport';

/** Deadline for connecting, the greeting and each socket read while sending one mail. */
export const SMTP_TIMEOUT_MS = 10_000;

/**
 * nodemailer over SMTP_URL: `smtps://` is TLS from the first byte; `smtp://` upgrades with STARTTLS
 * when the server offers it (add `?requireTLS=true` to insist). One pooled connection per replica.
 */
export class SmtpMailTransport extends MailTransport {
  private readonly transporter: Transporter;

  constructor(url: string) {
    super();
    this.transporter = createTransport({
      url,
      connectionTimeout: SMTP_TIMEOUT_MS,
      greetingTimeout: SMTP_TIMEOUT_MS,
      socketTimeout: SMTP_TIMEOUT_MS,
      // nodemailer logs nothing of its own (its logger would print message bodies with links).
      logger: false,
      debug: false,
    });
  }

  async send(message: MailMessage): Promise<{ file?: string }> {
    await this.transporter.sendMail(toNodemailer(message));
    return {};
  }

  close(): void {
    this.transporter.close();
  }
}

export function toNodemailer(message: MailMessage) {
  const domain = /@([^>\s]+)>?\s*$/.exec(message.from)?.[1] ?? 'localhost';
  return {
    from: message.from,
    to: message.to,
    subject: message.subject,
    text: message.text,
    html: message.html,
    messageId: `<${message.mailId}@${domain}>`,
  };
}
