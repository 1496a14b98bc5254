import {
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { Inject, Injectable } from '@nestjs/common';
import { ServiceUnavailableError } from '../../common/errors';
import { APP_CONFIG, AppConfig } from '../../config';
import { DYNAMODB_DOCUMENT_CLIENT } from '../../database/database.tokens';
import { keys, SK_PREFIX } from '../../database/keys';
import type { UserSummary } from '../../users/domain/user';
import { BatchedItemReads, batchedReadsOf } from '../../database/batched-reads';
import {
  backoffMs,
  isConditionalCheckFailed,
  sleep,
  store,
  withOutageMapping,
} from '../../database/dynamo-errors';
import type { RotateOutcome, Session, SessionRotation } from './session';
import { SessionRepository, SessionWithOwner } from './session.repository';

interface SessionItem {
  PK: string;
  SK: string;
  entity: 'session';
  session_id: string;
  user_id: string;
  refresh_hash: string;
  /** Hashes of already-rotated refresh secrets, newest first (absent on items from before). */
  used_refresh_hashes?: string[];
  /** The owner's credential version its login verified (absent on items from before = 0). */
  credential_version?: number;
  created_at: string;
  last_used_at: string;
  expires_at: number;
  ip?: string;
  user_agent?: string;
}

const BATCH_WRITE_MAX = 25;
const BATCH_WRITE_ATTEMPTS = 3;

/** Attributes the guard needs from the session and the user item (the reads alias them all). */
const OWNER_ATTRIBUTES = [
  'PK',
  'SK',
  'session_id',
  'user_id',
  'refresh_hash',
  'used_refresh_hashes',
  // Session and user alike: the password-change rule compares the two.
  'credential_version',
  'created_at',
  'last_used_at',
  'expires_at',
  'ip',
  'user_agent',
  'username',
  'role',
  'status',
];

function toItem(s: Session): SessionItem {
  const item: SessionItem = {
    ...keys.session(s.userId, s.sessionId),
    entity: 'session',
    session_id: s.sessionId,
    user_id: s.userId,
    refresh_hash: s.refreshHash,
    used_refresh_hashes: [...s.usedRefreshHashes],
    credential_version: s.credentialVersion,
    created_at: s.createdAt,
    last_used_at: s.lastUsedAt,
    expires_at: s.expiresAt,
  };
  if (s.ip) item.ip = s.ip;
  if (s.userAgent) item.user_agent = s.userAgent;
  return item;
}

function fromItem(i: SessionItem): Session {
  return {
    sessionId: i.session_id,
    userId: i.user_id,
    refreshHash: i.refresh_hash,
    usedRefreshHashes: Array.isArray(i.used_refresh_hashes) ? i.used_refresh_hashes : [],
    credentialVersion: Number(i.credential_version ?? 0),
    createdAt: i.created_at,
    lastUsedAt: i.last_used_at,
    expiresAt: Number(i.expires_at),
    ip: i.ip ?? null,
    userAgent: i.user_agent ?? null,
  };
}

/** Session items (`PK=<user_id>`, `SK=SESSION#<id>`) through the SDK document client: the hot path. */
@Injectable()
export class DynamoSessionRepository extends SessionRepository {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;
  private readonly reads: BatchedItemReads;

  constructor(
    @Inject(DYNAMODB_DOCUMENT_CLIENT) doc: DynamoDBDocumentClient,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    super();
    this.doc = withOutageMapping(doc);
    this.table = config.dynamodb.tableName;
    this.reads = batchedReadsOf(doc, this.table);
  }

  async create(session: Session): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: toItem(session),
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
  }

  /** One BatchGetItem (ConsistentRead) for the session and the user item. */
  async findWithOwner(userId: string, sessionId: string): Promise<SessionWithOwner> {
    const [sessionItem, user] = await store(() =>
      Promise.all([
        this.reads.get(keys.session(userId, sessionId), OWNER_ATTRIBUTES),
        this.reads.get(keys.user(userId), OWNER_ATTRIBUTES),
      ]),
    );
    const session = sessionItem as SessionItem | undefined;
    const owner = user as
      | {
          username: string;
          role: UserSummary['role'];
          status: UserSummary['status'];
          credential_version?: number;
        }
      | undefined;
    return {
      session: session ? fromItem(session) : null,
      owner: owner
        ? {
            username: owner.username,
            role: owner.role,
            status: owner.status,
            credentialVersion: Number(owner.credential_version ?? 0),
          }
        : null,
    };
  }

  async rotate(
    userId: string,
    sessionId: string,
    expectedHash: string,
    next: SessionRotation,
  ): Promise<RotateOutcome> {
    const names: Record<string, string> = { '#ip': 'ip', '#ua': 'user_agent' };
    const values: Record<string, unknown> = {
      ':expected': expectedHash,
      ':hash': next.refreshHash,
      ':spent': [...next.usedRefreshHashes],
      ':used': next.lastUsedAt,
      ':exp': next.expiresAt,
    };
    // The used list is computed from the item as read; the condition on the current hash makes that
    // safe (a concurrent rotation changes the hash, so this update then fails).
    const set = [
      'refresh_hash = :hash',
      'used_refresh_hashes = :spent',
      'last_used_at = :used',
      'expires_at = :exp',
    ];
    const remove: string[] = [];
    for (const [name, value, placeholder] of [
      ['#ip', next.ip, ':ip'],
      ['#ua', next.userAgent, ':ua'],
    ] as const) {
      if (value) {
        set.push(`${name} = ${placeholder}`);
        values[placeholder] = value;
      } else remove.push(name);
    }
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.session(userId, sessionId),
          UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
          ConditionExpression: 'attribute_exists(PK) AND refresh_hash = :expected',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          // On a failed condition, the item as it was (none: it no longer exists), atomically.
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return 'rotated';
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
      return (err as { Item?: unknown }).Item ? 'reused' : 'gone';
    }
  }

  async revoke(userId: string, sessionId: string): Promise<boolean> {
    const out = await this.doc.send(
      new DeleteCommand({
        TableName: this.table,
        Key: keys.session(userId, sessionId),
        ReturnValues: 'ALL_OLD',
      }),
    );
    return out.Attributes !== undefined;
  }

  async listByUser(userId: string): Promise<Session[]> {
    const sessions: Session[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
          ExpressionAttributeValues: { ':pk': userId, ':prefix': SK_PREFIX.session },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      sessions.push(...((out.Items ?? []) as SessionItem[]).map(fromItem));
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return sessions;
  }

  /** @throws ServiceUnavailableError when DynamoDB keeps leaving deletes unprocessed. */
  async revokeAllExcept(userId: string, keepSessionId?: string): Promise<number> {
    const doomed = (await this.listByUser(userId)).filter((s) => s.sessionId !== keepSessionId);
    for (let i = 0; i < doomed.length; i += BATCH_WRITE_MAX) {
      let requests = doomed.slice(i, i + BATCH_WRITE_MAX).map((s) => ({
        DeleteRequest: { Key: keys.session(userId, s.sessionId) },
      }));
      for (let attempt = 1; requests.length > 0; attempt++) {
        if (attempt > BATCH_WRITE_ATTEMPTS) {
          throw new ServiceUnavailableError('Could not revoke every session; retry shortly.');
        }
        const out = await this.doc.send(
          new BatchWriteCommand({ RequestItems: { [this.table]: requests } }),
        );
        requests = (out.UnprocessedItems?.[this.table] ?? []) as typeof requests;
        if (requests.length > 0) await sleep(backoffMs(attempt));
      }
    }
    return doomed.length;
  }
}
