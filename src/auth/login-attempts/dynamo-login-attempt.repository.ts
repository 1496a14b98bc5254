import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { Inject, Injectable } from '@nestjs/common';
import { ServiceUnavailableError } from '../../common/errors';
import { APP_CONFIG, AppConfig } from '../../config';
import { DYNAMODB_DOCUMENT_CLIENT } from '../../database/database.tokens';
import { keys } from '../../database/keys';
import { isConditionalCheckFailed, withOutageMapping } from '../../database/dynamo-errors';
import { AttemptDecision, LockoutPolicy, LoginAttemptRepository } from './login-attempt.repository';

interface LoginItem {
  attempts: number;
  last_attempt_at: number;
  expires_at: number;
}

const MAX_ROUNDS = 4;
/** Keep the item a little longer than the window so TTL never races the lock check. */
const TTL_MARGIN_SECONDS = 60;

/**
 * `LOGIN#<identifier>` items: `attempts` (unreset attempts), `last_attempt_at` (epoch s) and a TTL.
 * Within the window, an UpdateItem increments `attempts` only while it is below the limit; once the
 * limit is reached the condition fails and the identifier is locked until the window after the last
 * counted attempt has passed (attempts while locked are not counted, so the lock does not extend).
 */
@Injectable()
export class DynamoLoginAttemptRepository extends LoginAttemptRepository {
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

  async registerAttempt(
    identifier: string,
    nowMs: number,
    policy: LockoutPolicy,
  ): Promise<AttemptDecision> {
    const key = keys.loginFailures(identifier);
    const now = Math.floor(nowMs / 1000);
    const cutoff = now - policy.windowSeconds;
    const ttl = now + policy.windowSeconds + TTL_MARGIN_SECONDS;
    for (let round = 1; round <= MAX_ROUNDS; round++) {
      try {
        const out = await this.doc.send(
          new UpdateCommand({
            TableName: this.table,
            Key: key,
            UpdateExpression:
              'SET attempts = if_not_exists(attempts, :zero) + :one, last_attempt_at = :now, expires_at = :ttl, entity = :entity',
            ConditionExpression:
              'attribute_not_exists(PK) OR (attempts < :max AND last_attempt_at > :cutoff)',
            ExpressionAttributeValues: {
              ':zero': 0,
              ':one': 1,
              ':now': now,
              ':ttl': ttl,
              ':entity': 'login_failures',
              ':max': policy.maxFailures,
              ':cutoff': cutoff,
            },
            ReturnValues: 'UPDATED_NEW',
          }),
        );
        return { allowed: true, attempt: Number(out.Attributes?.attempts ?? 1) };
      } catch (err) {
        if (!isConditionalCheckFailed(err)) throw err;
      }
      const current = await this.read(key);
      if (!current) continue; // expired and deleted in between: count afresh
      if (current.last_attempt_at <= cutoff) {
        if (await this.restart(key, current.last_attempt_at, now, ttl))
          return { allowed: true, attempt: 1 };
        continue;
      }
      // The window is current but not full: another attempt restarted it between our failed
      // update and this read. Count this attempt in the new window.
      if (current.attempts < policy.maxFailures) continue;
      return {
        allowed: false,
        retryAfterSeconds: Math.max(1, current.last_attempt_at + policy.windowSeconds - now),
      };
    }
    throw new ServiceUnavailableError(
      'Too many concurrent login attempts for this account; retry.',
    );
  }

  async reset(identifier: string): Promise<void> {
    await this.doc.send(
      new DeleteCommand({ TableName: this.table, Key: keys.loginFailures(identifier) }),
    );
  }

  private async read(key: ReturnType<typeof keys.loginFailures>): Promise<LoginItem | null> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }),
    );
    return (out.Item as LoginItem | undefined) ?? null;
  }

  /** A stale window: start a new count at 1, unless someone else already did. */
  private async restart(
    key: ReturnType<typeof keys.loginFailures>,
    seen: number,
    now: number,
    ttl: number,
  ): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...key,
            entity: 'login_failures',
            attempts: 1,
            last_attempt_at: now,
            expires_at: ttl,
          },
          ConditionExpression: 'last_attempt_at = :seen',
          ExpressionAttributeValues: { ':seen': seen },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionalCheckFailed(err)) return false;
      throw err;
    }
  }
}
