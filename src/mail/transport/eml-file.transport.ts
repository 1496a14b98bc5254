import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTransport, type Transporter } from 'nodemailer';
import type { MailMessage } from '../mail.types';
import { MailTransport } from './mail-transport';
import { toNodemailer } from './smtp.transport';

/**
 * Outside production with no SMTP_URL: each mail becomes `<dir>/<mail_id>.eml`, which any mail
 * client opens, so a newcomer can follow the verification link of a user they registered.
 */
export class EmlFileMailTransport extends MailTransport {
  private readonly builder: Transporter;

  constructor(private readonly dir: string) {
    super();
    this.builder = createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  }

  async send(message: MailMessage): Promise<{ file?: string }> {
    const info = (await this.builder.sendMail(toNodemailer(message))) as { message: Buffer };
    await mkdir(this.dir, { recursive: true });
    const file = join(this.dir, `${message.mailId}.eml`);
    await writeFile(file, info.message, { mode: 0o600 });
    return { file };
  }

  close(): void {
    this.builder.close();
  }
}
