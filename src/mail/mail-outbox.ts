import { Inject, Injectable } from '@nestjs/common';
import { monotonicFactory } from 'ulid';
import { APP_CONFIG, AppConfig } from '../config';
import { MailSealer } from './mail-sealer';
import type { MailParams, MailTemplate, OutboxMail } from './mail.types';

/**
 * Builds outbox mails for the services (sealed variables, ULID ids) and tells the dispatcher when a
 * transaction carrying some has committed, so it sends them at once instead of at its next poll.
 */
@Injectable()
export class MailOutbox {
  private readonly newId = monotonicFactory();
  private readonly sealer: MailSealer;
  private readonly listeners = new Set<() => void>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.sealer = new MailSealer(config.jwt.secret);
  }

  get appBaseUrl(): string {
    return this.config.mail.appBaseUrl;
  }

  compose(to: string, template: MailTemplate, params: MailParams, now = new Date()): OutboxMail {
    return {
      mailId: this.newId(now.getTime()),
      to,
      template,
      sealedParams: this.sealer.seal(params),
      createdAt: now.toISOString(),
    };
  }

  open(sealed: string): MailParams | null {
    return this.sealer.open(sealed);
  }

  /** Call after the transaction that wrote mails committed. */
  written(): void {
    for (const listener of this.listeners) listener();
  }

  onWritten(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
