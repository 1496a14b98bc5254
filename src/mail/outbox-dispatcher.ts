import { randomUUID } from 'node:crypto';
import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter, Gauge } from 'prom-client';
import { LOGGER, Logger } from '../common/logging/logger';
import { APP_CONFIG, AppConfig } from '../config';
import { EMAILS_TOTAL, EMAIL_OUTBOX_OLDEST_PENDING } from '../metrics/metric-names';
import { MailOutbox } from './mail-outbox';
import type { PendingMail } from './mail.types';
import { OutboxRepository } from './persistence/outbox.repository';
import { renderMail } from './templates';
import { MailTransport } from './transport/mail-transport';

/** How long a claimed mail is ours; a replica that dies mid-send frees it after this. */
export const LEASE_MS = 120_000;
const BATCH = 25;
const MAX_BACKOFF_MS = 3_600_000;

/**
 * Sends outbox mails: every MAIL_POLL_INTERVAL_MS (and at once when a request wrote one) it lists
 * pending mails, claims each with a conditional lease (two replicas never both send one in normal
 * operation), sends, marks it sent; a failure is retried with exponential backoff up to
 * MAIL_MAX_ATTEMPTS, then marked failed. Requests never wait for it; `app.close()` stops it.
 */
@Injectable()
export class OutboxDispatcher implements OnApplicationBootstrap, OnModuleDestroy {
  readonly owner = randomUUID();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private readonly abort = new AbortController();
  private unsubscribe: (() => void) | undefined;
  private storeFailing = false;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly transport: MailTransport,
    private readonly mail: MailOutbox,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @InjectMetric(EMAILS_TOTAL) private readonly emails: Counter<string>,
    @InjectMetric(EMAIL_OUTBOX_OLDEST_PENDING) private readonly oldest: Gauge<string>,
  ) {}

  onApplicationBootstrap(): void {
    this.unsubscribe = this.mail.onWritten(() => this.kick());
    this.schedule(0);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    clearTimeout(this.timer);
    this.abort.abort();
    await this.running;
    this.transport.close();
  }

  /** Runs a pass now (or right after the current one). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  /** One pass over every shard; resolves when done (tests and the poll loop use it). */
  runOnce(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    clearTimeout(this.timer);
    this.running = this.pass().finally(() => {
      this.running = undefined;
      if (this.stopped) return;
      const again = this.again;
      this.again = false;
      this.schedule(again ? 0 : this.config.mail.pollIntervalMs);
    });
    return this.running;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.runOnce(), ms);
    this.timer.unref();
  }

  private async pass(): Promise<void> {
    let oldestCreated = Infinity;
    try {
      for (let shard = 0; shard < this.outbox.shards && !this.stopped; shard++) {
        const pending = await this.outbox.listPending(shard, BATCH, this.abort.signal);
        for (const mail of pending) {
          oldestCreated = Math.min(oldestCreated, Date.parse(mail.createdAt));
          if (this.stopped) break;
          const now = Date.now();
          if (mail.nextAttemptAt > now || mail.leaseUntil >= now) continue;
          if (!(await this.outbox.claim(mail, this.owner, now, LEASE_MS))) continue;
          await this.deliver(mail);
        }
      }
      this.oldest.set(oldestCreated === Infinity ? 0 : (Date.now() - oldestCreated) / 1000);
      if (this.storeFailing) this.logger.info({}, 'mail outbox: store reachable again');
      this.storeFailing = false;
    } catch (err) {
      if (this.stopped) return;
      // Logged once per outage, not at every poll.
      if (!this.storeFailing) {
        this.logger.warn({ err: (err as Error).message }, 'mail outbox: cannot read the outbox');
      }
      this.storeFailing = true;
    }
  }

  private async deliver(mail: PendingMail): Promise<void> {
    const params = this.mail.open(mail.sealedParams);
    const context = { mail_id: mail.mailId, template: mail.template, attempt: mail.attempts + 1 };
    if (!params) {
      await this.outbox.markFailed(mail, this.owner, Date.now(), 'unreadable (key rotated?)');
      this.emails.inc({ template: mail.template, result: 'failed' });
      this.logger.error(context, 'mail failed: its variables cannot be decrypted');
      return;
    }
    const rendered = renderMail(mail.template, params);
    try {
      const where = await this.transport.send({
        ...rendered,
        from: this.config.mail.from,
        to: mail.to,
        mailId: mail.mailId,
      });
      await this.outbox.markSent(mail, this.owner, Date.now());
      this.emails.inc({ template: mail.template, result: 'sent' });
      if (where.file) {
        this.logger.info({ ...context, file: where.file }, `mail written to ${where.file}`);
      } else this.logger.info(context, 'mail sent');
    } catch (err) {
      const error = describe(err);
      const attempts = mail.attempts + 1;
      if (attempts >= this.config.mail.maxAttempts) {
        await this.outbox.markFailed(mail, this.owner, Date.now(), error);
        this.emails.inc({ template: mail.template, result: 'failed' });
        this.logger.error({ ...context, error }, 'mail failed: no more attempts');
        return;
      }
      const delay = Math.min(MAX_BACKOFF_MS, this.config.mail.retryBaseMs * 2 ** (attempts - 1));
      const next = Date.now() + Math.round(delay * (0.75 + Math.random() / 2));
      await this.outbox.markRetry(mail, this.owner, next, error);
      this.emails.inc({ template: mail.template, result: 'retry' });
      this.logger.warn(
        { ...context, error, next_attempt_at: new Date(next).toISOString() },
        'mail not sent; will retry',
      );
    }
  }
}

/** An SMTP error's code and first line: never the message, which is ours to keep secret. */
function describe(err: unknown): string {
  const e = err as { code?: unknown; responseCode?: unknown; message?: unknown } | null;
  const parts = [e?.code, e?.responseCode].filter((p) => p !== undefined).map(String);
  const message = typeof e?.message === 'string' ? e.message.split('\n')[0].slice(0, 160) : '';
  return [...parts, message].filter(Boolean).join(' ');
}
