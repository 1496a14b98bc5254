import { Global, Module } from '@nestjs/common';
import { join } from 'node:path';
import { APP_CONFIG, AppConfig } from '../config';
import { MailOutbox } from './mail-outbox';
import { OutboxDispatcher } from './outbox-dispatcher';
import { DynamoOutboxRepository } from './persistence/dynamo-outbox.repository';
import { OutboxRepository } from './persistence/outbox.repository';
import { EmlFileMailTransport } from './transport/eml-file.transport';
import { MailTransport } from './transport/mail-transport';
import { SmtpMailTransport } from './transport/smtp.transport';

/** Builds outbox mails for the services (global: auth and users write them). */
@Global()
@Module({ providers: [MailOutbox], exports: [MailOutbox] })
export class MailModule {}

/** The dispatcher and its transport: only the HTTP service runs it, not the CLIs. */
@Module({
  imports: [MailModule],
  providers: [
    OutboxDispatcher,
    { provide: OutboxRepository, useClass: DynamoOutboxRepository },
    {
      provide: MailTransport,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): MailTransport =>
        config.mail.smtpUrl
          ? new SmtpMailTransport(config.mail.smtpUrl)
          : new EmlFileMailTransport(join(config.localDataDir, 'mail')),
    },
  ],
  exports: [OutboxDispatcher],
})
export class MailDispatchModule {}
