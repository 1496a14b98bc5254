import { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { recordSecrets } from './run-audit';

export interface ReceivedMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  /** The account link in the mail, and its token (recorded as run-audit secrets). */
  link: string | null;
  token: string | null;
}

const LINK = /https?:\/\/\S+#token=([A-Za-z0-9._%-]+)/;

/**
 * A real SMTP server (the `smtp-server` package) in the test process; every message is parsed with
 * `mailparser`. It can be stopped and started again on the same port, to play an outage.
 */
export class SmtpSink {
  readonly received: ReceivedMail[] = [];
  private server: SMTPServer | undefined;
  port = 0;

  async start(port = this.port): Promise<this> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, _session, callback) => {
        simpleParser(stream)
          .then((mail) => {
            this.received.push(toReceived(mail));
            callback();
          })
          .catch((err: Error) => callback(err));
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  to(address: string): ReceivedMail[] {
    return this.received.filter((m) => m.to === address);
  }

  /** Waits until `count` mails to `address` have arrived (optionally with this subject). */
  async waitFor(address: string, count = 1, timeoutMs = 15_000, subject?: RegExp) {
    const deadline = Date.now() + timeoutMs;
    const matching = () => this.to(address).filter((m) => !subject || subject.test(m.subject));
    while (matching().length < count) {
      if (Date.now() > deadline) {
        throw new Error(`expected ${count} mail(s) to ${address}, got ${matching().length}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    return matching();
  }
}

function toReceived(mail: ParsedMail): ReceivedMail {
  const to = Array.isArray(mail.to) ? mail.to[0] : mail.to;
  const text = mail.text ?? '';
  const match = LINK.exec(text);
  const token = match ? decodeURIComponent(match[1]) : null;
  recordSecrets(match?.[0], token ?? undefined);
  return {
    to: to?.value[0]?.address ?? '',
    subject: mail.subject ?? '',
    text,
    html: typeof mail.html === 'string' ? mail.html : '',
    messageId: mail.messageId ?? '',
    link: match?.[0] ?? null,
    token,
  };
}
