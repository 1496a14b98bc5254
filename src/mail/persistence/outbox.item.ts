import { keys, outboxShard, ttlAfter } from '../../database/keys';
import type { MailTemplate, OutboxMail, PendingMail } from '../mail.types';

/** Sent and failed mails stay this long (for support), then DynamoDB's TTL removes them. */
export const OUTBOX_RETENTION_SECONDS = 7 * 86400;
/** A pending mail nobody could send for this long is removed anyway (the links have expired). */
export const OUTBOX_PENDING_TTL_SECONDS = 30 * 86400;

export interface OutboxItem {
  PK: string;
  SK: string;
  entity: 'outbox_mail';
  mail_id: string;
  recipient: string;
  template: MailTemplate;
  /** Removed once the mail is sent or has failed. */
  sealed_params?: string;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  next_attempt_at: number;
  lease_until?: number;
  lease_owner?: string;
  created_at: string;
  expires_at: number;
}

/** The Put of a new pending mail, for the transaction that writes the token it carries. */
export function outboxPut(table: string, mail: OutboxMail) {
  const createdMs = Date.parse(mail.createdAt);
  const item: OutboxItem = {
    ...keys.outbox(outboxShard(mail.mailId), mail.mailId),
    entity: 'outbox_mail',
    mail_id: mail.mailId,
    recipient: mail.to,
    template: mail.template,
    sealed_params: mail.sealedParams,
    status: 'pending',
    attempts: 0,
    next_attempt_at: createdMs,
    created_at: mail.createdAt,
    expires_at: ttlAfter(OUTBOX_PENDING_TTL_SECONDS, createdMs),
  };
  return { Put: { TableName: table, Item: item, ConditionExpression: 'attribute_not_exists(PK)' } };
}

export function fromOutboxItem(item: OutboxItem): PendingMail {
  return {
    mailId: item.mail_id,
    to: item.recipient,
    template: item.template,
    sealedParams: item.sealed_params ?? '',
    createdAt: item.created_at,
    shard: outboxShard(item.mail_id),
    attempts: Number(item.attempts ?? 0),
    nextAttemptAt: Number(item.next_attempt_at ?? 0),
    leaseUntil: Number(item.lease_until ?? 0),
  };
}
