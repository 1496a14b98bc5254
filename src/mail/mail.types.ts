/** The mails the service sends; each has plain-text and HTML bodies (templates.ts). */
export const MAIL_TEMPLATES = [
  'verify_email',
  'email_changed',
  'password_reset',
  'password_changed',
] as const;
export type MailTemplate = (typeof MAIL_TEMPLATES)[number];

/** Template variables. A link's token travels only inside these, sealed at rest. */
export type MailParams = Readonly<Record<string, string>>;

/** One mail as written to the outbox, in the same transaction as the token it carries. */
export interface OutboxMail {
  /** ULID: sorts by creation time. */
  readonly mailId: string;
  readonly to: string;
  readonly template: MailTemplate;
  /** `MailParams`, encrypted (AES-256-GCM): the outbox never holds a readable token. */
  readonly sealedParams: string;
  readonly createdAt: string;
}

/** A pending outbox mail as the dispatcher sees it. */
export interface PendingMail extends OutboxMail {
  readonly shard: number;
  readonly attempts: number;
  /** Epoch ms: not before. */
  readonly nextAttemptAt: number;
  /** Epoch ms: another dispatcher holds it until then. */
  readonly leaseUntil: number;
}

/** A rendered message, ready for a transport. */
export interface MailMessage {
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** Used as the Message-ID's local part and the .eml file name. */
  readonly mailId: string;
}
