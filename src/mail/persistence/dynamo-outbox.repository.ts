import {
  DynamoDBDocumentClient,
  QueryCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config';
import { DYNAMODB_DOCUMENT_CLIENT } from '../../database/database.tokens';
import { isConditionalCheckFailed, withOutageMapping } from '../../database/dynamo-errors';
import { keys, OUTBOX_SHARDS, ttlAfter } from '../../database/keys';
import type { PendingMail } from '../mail.types';
import { fromOutboxItem, OUTBOX_RETENTION_SECONDS, OutboxItem } from './outbox.item';
import { OutboxRepository } from './outbox.repository';

/** Items examined per Query page; sent and failed mails share the partition until their TTL. */
const PAGE = 200;
const MAX_PAGES = 10;

/** The outbox in the single table; every state change is conditioned on the lease. */
@Injectable()
export class DynamoOutboxRepository extends OutboxRepository {
  readonly shards = OUTBOX_SHARDS;
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(
    @Inject(DYNAMODB_DOCUMENT_CLIENT) doc: DynamoDBDocumentClient,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    super();
    this.doc = withOutageMapping(doc);
    this.table = config.dynamodb.tableName;
  }

  async listPending(shard: number, limit: number, signal?: AbortSignal): Promise<PendingMail[]> {
    const found: PendingMail[] = [];
    let start: Record<string, unknown> | undefined;
    for (let page = 0; page < MAX_PAGES && found.length < limit; page++) {
      const query = new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'PK = :pk',
        FilterExpression: '#status = :pending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':pk': keys.outboxShard(shard), ':pending': 'pending' },
        ConsistentRead: true,
        Limit: PAGE,
        ExclusiveStartKey: start,
      });
      // Timed as `OutboxQuery`: the background scan stays out of the request path's Query figures.
      query.middlewareStack.add(
        (next, context) => (args) => {
          context.commandName = 'OutboxQueryCommand';
          return next(args);
        },
        { step: 'build' },
      );
      const out = await this.doc.send(query, { abortSignal: signal });
      for (const item of out.Items ?? []) found.push(fromOutboxItem(item as OutboxItem));
      start = out.LastEvaluatedKey;
      if (!start) break;
    }
    return found.slice(0, limit);
  }

  async claim(mail: PendingMail, owner: string, nowMs: number, leaseMs: number): Promise<boolean> {
    return this.conditional({
      TableName: this.table,
      Key: keys.outbox(mail.shard, mail.mailId),
      UpdateExpression: 'SET lease_until = :until, lease_owner = :owner',
      ConditionExpression:
        '#status = :pending AND next_attempt_at <= :now AND (attribute_not_exists(lease_until) OR lease_until < :now)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':until': nowMs + leaseMs,
        ':owner': owner,
        ':pending': 'pending',
        ':now': nowMs,
      },
    });
  }

  async markSent(mail: PendingMail, owner: string, nowMs: number): Promise<void> {
    await this.conditional(this.finish(mail, owner, 'sent', nowMs, null));
  }

  async markFailed(mail: PendingMail, owner: string, nowMs: number, error: string): Promise<void> {
    await this.conditional(this.finish(mail, owner, 'failed', nowMs, error));
  }

  async markRetry(
    mail: PendingMail,
    owner: string,
    nextAttemptAt: number,
    error: string,
  ): Promise<void> {
    await this.conditional({
      TableName: this.table,
      Key: keys.outbox(mail.shard, mail.mailId),
      UpdateExpression:
        'SET next_attempt_at = :next, last_error = :error ADD attempts :one REMOVE lease_until, lease_owner',
      ConditionExpression: 'lease_owner = :owner',
      ExpressionAttributeValues: {
        ':next': nextAttemptAt,
        ':error': error.slice(0, 300),
        ':one': 1,
        ':owner': owner,
      },
    });
  }

  private finish(
    mail: PendingMail,
    owner: string,
    status: OutboxItem['status'],
    nowMs: number,
    error: string | null,
  ): UpdateCommandInput {
    return {
      TableName: this.table,
      Key: keys.outbox(mail.shard, mail.mailId),
      UpdateExpression:
        'SET #status = :status, finished_at = :at, expires_at = :ttl, last_error = :error ADD attempts :one REMOVE sealed_params, lease_until, lease_owner',
      ConditionExpression: 'lease_owner = :owner',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':status': status,
        ':at': new Date(nowMs).toISOString(),
        ':ttl': ttlAfter(OUTBOX_RETENTION_SECONDS, nowMs),
        ':error': error ? error.slice(0, 300) : null,
        ':one': 1,
        ':owner': owner,
      },
    };
  }

  /** True when the condition held; false when another dispatcher owns the mail now. */
  private async conditional(input: UpdateCommandInput): Promise<boolean> {
    try {
      await this.doc.send(new UpdateCommand(input));
      return true;
    } catch (err) {
      if (isConditionalCheckFailed(err)) return false;
      throw err;
    }
  }
}
