import { keys } from '../../database/keys';
import { outboxPut } from '../../mail/persistence/outbox.item';
import type { AccountWrites, EmailToken } from '../domain/email-token';

export interface EmailTokenItem {
  PK: string;
  SK: string;
  entity: 'email_token';
  purpose: EmailToken['purpose'];
  token_hash: string;
  email: string;
  created_at: string;
  /** TTL attribute; expiry is also checked on read (TTL deletion is lazy). */
  expires_at: number;
}

export function toEmailTokenItem(token: EmailToken): EmailTokenItem {
  return {
    ...keys.emailToken(token.userId, token.purpose),
    entity: 'email_token',
    purpose: token.purpose,
    token_hash: token.hash,
    email: token.email,
    created_at: token.createdAt,
    expires_at: token.expiresAt,
  };
}

export function fromEmailTokenItem(userId: string, item: EmailTokenItem): EmailToken {
  return {
    userId,
    purpose: item.purpose,
    hash: item.token_hash,
    email: item.email,
    createdAt: item.created_at,
    expiresAt: Number(item.expires_at),
  };
}

/**
 * The items an AccountWrites adds to a transaction: the token (an unconditional Put, so it replaces
 * and thereby kills the previous link of that purpose) and each mail as a new outbox item.
 */
export function accountWriteItems(table: string, writes: AccountWrites | undefined) {
  if (!writes) return [];
  const items: Array<Record<string, unknown>> = [];
  if (writes.token) items.push({ Put: { TableName: table, Item: toEmailTokenItem(writes.token) } });
  for (const mail of writes.mails) items.push(outboxPut(table, mail));
  return items;
}
