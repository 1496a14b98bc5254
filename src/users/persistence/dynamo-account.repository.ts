import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config';
import { DYNAMODB_DOCUMENT_CLIENT } from '../../database/database.tokens';
import {
  isConditionalCheckFailed,
  isConditionFailure,
  withOutageMapping,
} from '../../database/dynamo-errors';
import { ItemKey, keys } from '../../database/keys';
import { transactWrite } from '../../database/transact';
import { outboxPut } from '../../mail/persistence/outbox.item';
import type { AccountWrites, EmailToken, EmailTokenPurpose } from '../domain/email-token';
import type { User, UserStatus } from '../domain/user';
import { UserNotFoundError } from '../users.errors';
import {
  AccountRepository,
  PasswordReset,
  RequestAllowance,
  ResetOutcome,
} from './account.repository';
import { accountWriteItems, EmailTokenItem, fromEmailTokenItem } from './email-token.item';
import { fromUserItem, UserItem } from './user.item';

/** Positions in the reset transaction. */
const RESET = { token: 0, user: 1 } as const;

class Cancelled extends Error {
  constructor(readonly codes: string[]) {
    super('cancelled');
  }
}

/** E-mail tokens, password reset, reset-request windows and account status (raw SDK: transactions). */
@Injectable()
export class DynamoAccountRepository extends AccountRepository {
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

  async issueToken(writes: AccountWrites & { token: EmailToken }): Promise<void> {
    await transactWrite(
      this.doc,
      { TransactItems: accountWriteItems(this.table, writes) },
      () => null,
    );
  }

  async findToken(userId: string, purpose: EmailTokenPurpose): Promise<EmailToken | null> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.table,
        Key: keys.emailToken(userId, purpose),
        ConsistentRead: true,
      }),
    );
    return out.Item ? fromEmailTokenItem(userId, out.Item as EmailTokenItem) : null;
  }

  async verifyEmail(token: EmailToken, tokenHash: string, now: Date): Promise<boolean> {
    const outcome = await this.consume(token.userId, 'verify', tokenHash, now, [
      {
        Update: {
          TableName: this.table,
          Key: keys.user(token.userId),
          UpdateExpression:
            'SET email_verified = :true, email_verified_at = :now, updated_at = :now',
          ConditionExpression: 'attribute_exists(PK) AND email = :email',
          ExpressionAttributeValues: {
            ':true': true,
            ':now': now.toISOString(),
            ':email': token.email,
          },
        },
      },
    ]);
    return outcome === null;
  }

  async resetPassword(reset: PasswordReset): Promise<ResetOutcome> {
    const now = reset.now.toISOString();
    const expected = reset.expectedVersion;
    const versionMatches =
      expected === 0
        ? '(attribute_not_exists(credential_version) OR credential_version = :expected)'
        : 'credential_version = :expected';
    const codes = await this.consume(reset.userId, 'reset', reset.tokenHash, reset.now, [
      {
        Update: {
          TableName: this.table,
          Key: keys.user(reset.userId),
          UpdateExpression:
            'SET password_hash = :hash, credential_version = :next, password_changed_at = :now, updated_at = :now REMOVE password_changed_by_session',
          ConditionExpression: `attribute_exists(PK) AND ${versionMatches}`,
          ExpressionAttributeValues: {
            ':hash': reset.passwordHash,
            ':next': expected + 1,
            ':now': now,
            ':expected': expected,
          },
        },
      },
      // The lockout is cleared: whoever reset the password may log in with it at once.
      { Delete: { TableName: this.table, Key: keys.loginFailures(reset.username) } },
      outboxPut(this.table, reset.notice),
    ]);
    if (codes === null) return 'reset';
    if (isConditionFailure(codes[RESET.token])) return 'invalid_token';
    return 'concurrent_update';
  }

  async takeResetRequest(
    email: string,
    nowMs: number,
    limit: number,
    windowSeconds: number,
  ): Promise<RequestAllowance> {
    const key = keys.resetRequests(email);
    const nowS = Math.floor(nowMs / 1000);
    // Within the current window and under the limit: count this one.
    if (await this.countInWindow(key, nowS, limit)) return { allowed: true, retryAfterSeconds: 0 };
    try {
      // No window, or it ended: start a new one with this request.
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...key,
            entity: 'reset_requests',
            request_count: 1,
            window_ends_at: nowS + windowSeconds,
            expires_at: nowS + windowSeconds,
          },
          ConditionExpression: 'attribute_not_exists(PK) OR window_ends_at <= :now',
          ExpressionAttributeValues: { ':now': nowS },
        }),
      );
      return { allowed: true, retryAfterSeconds: 0 };
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
    }
    // A concurrent request started the window between the two writes: count in it after all.
    if (await this.countInWindow(key, nowS, limit)) return { allowed: true, retryAfterSeconds: 0 };
    const current = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }),
    );
    const endsAt = Number(
      (current.Item as { window_ends_at?: number } | undefined)?.window_ends_at,
    );
    return { allowed: false, retryAfterSeconds: Math.max(1, (endsAt || nowS + 1) - nowS) };
  }

  /** Adds this request to an open window with room left; false when there is none. */
  private async countInWindow(key: ItemKey, nowS: number, limit: number): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key,
          UpdateExpression: 'ADD request_count :one',
          ConditionExpression: 'window_ends_at > :now AND request_count < :limit',
          ExpressionAttributeValues: { ':one': 1, ':now': nowS, ':limit': limit },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionalCheckFailed(err)) return false;
      throw err;
    }
  }

  async setStatus(
    userId: string,
    status: UserStatus,
    change: { actorId: string; reason: string | null; now: string },
  ): Promise<User> {
    const disabling = status === 'disabled';
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.user(userId),
          UpdateExpression: disabling
            ? // The version bump keeps every existing session dead after a later enable.
              'SET #status = :status, updated_at = :now, disabled_reason = :reason, disabled_by = :actor, disabled_at = :now ADD credential_version :one'
            : 'SET #status = :status, updated_at = :now REMOVE disabled_reason, disabled_by, disabled_at',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: disabling
            ? {
                ':status': status,
                ':now': change.now,
                ':reason': change.reason ?? '',
                ':actor': change.actorId,
                ':one': 1,
              }
            : { ':status': status, ':now': change.now },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return fromUserItem(out.Attributes as UserItem);
    } catch (err) {
      if (isConditionalCheckFailed(err)) throw new UserNotFoundError();
      throw err;
    }
  }

  /**
   * Deletes the token (conditioned on its hash and expiry) together with `items`, in one
   * transaction. Null when it committed, else the cancellation codes (token first).
   */
  private async consume(
    userId: string,
    purpose: EmailTokenPurpose,
    tokenHash: string,
    now: Date,
    items: Array<Record<string, unknown>>,
  ): Promise<string[] | null> {
    try {
      await transactWrite(
        this.doc,
        {
          TransactItems: [
            {
              Delete: {
                TableName: this.table,
                Key: keys.emailToken(userId, purpose),
                ConditionExpression: 'token_hash = :hash AND expires_at > :now',
                ExpressionAttributeValues: {
                  ':hash': tokenHash,
                  ':now': Math.floor(now.getTime() / 1000),
                },
              },
            },
            ...items,
          ],
        },
        (codes) => (codes.some(isConditionFailure) ? new Cancelled(codes) : null),
      );
      return null;
    } catch (err) {
      if (err instanceof Cancelled) return err.codes;
      throw err;
    }
  }
}
