import type { DynamoDB } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { Inject, Injectable } from '@nestjs/common';
import * as dynamoose from 'dynamoose';
import { newBalanceItem } from '../../balance/persistence/balance.item';
import { ServiceUnavailableError } from '../../common/errors';
import { APP_CONFIG, AppConfig } from '../../config';
import { DYNAMODB_CLIENT, DYNAMODB_DOCUMENT_CLIENT } from '../../database/database.tokens';
import { keys } from '../../database/keys';
import type { AccountWrites } from '../domain/email-token';
import type { ProfileChanges, User, UserRole } from '../domain/user';
import { accountWriteItems } from './email-token.item';
import {
  ChangerSessionGoneError,
  ConcurrentUpdateError,
  EmailTakenError,
  UserNotFoundError,
  UsernameTakenError,
} from '../users.errors';
import {
  store,
  withOutageMapping,
  isConditionalCheckFailed,
  isConditionFailure,
} from '../../database/dynamo-errors';
import { transactWrite } from '../../database/transact';
import { fromUserItem, PROFILE_ATTRIBUTES, toUserItem, UserItem } from './user.item';
import { createUserModel, UserModel } from './user.model';
import { UserRepository } from './user.repository';

/** Positions of the items in the registration transaction. */
const REGISTER = { user: 0, username: 1, email: 2, balance: 3 } as const;
/** Positions of the items in the password change transaction. */
const PASSWORD_CHANGE = { user: 0, session: 1 } as const;
/** Positions of the items in the e-mail change transaction. */
const EMAIL_CHANGE = { user: 0, oldGuard: 1, newGuard: 2 } as const;

interface GuardItem {
  user_id: string;
}

/** Which conflict a cancelled registration transaction reports (username wins over e-mail). */
export function registrationConflict(codes: string[]): Error | null {
  if (isConditionFailure(codes[REGISTER.username])) return new UsernameTakenError();
  if (isConditionFailure(codes[REGISTER.email])) return new EmailTakenError();
  // A user or balance item with a fresh UUID already there: practically impossible, but never a 500.
  if (isConditionFailure(codes[REGISTER.user]) || isConditionFailure(codes[REGISTER.balance])) {
    return new ServiceUnavailableError('Could not allocate a user id; retry.');
  }
  return null;
}

/**
 * Users in the single table. Plain user reads and writes go through dynamoose; the multi-item
 * transactions (registration, e-mail change) use the SDK's TransactWriteItems with a
 * ClientRequestToken, so an SDK-level retry of a transaction that did commit is not seen as a conflict.
 */
@Injectable()
export class DynamoUserRepository extends UserRepository {
  private readonly model: UserModel;
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(
    @Inject(DYNAMODB_CLIENT) client: DynamoDB,
    @Inject(DYNAMODB_DOCUMENT_CLIENT) doc: DynamoDBDocumentClient,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    super();
    this.doc = withOutageMapping(doc);
    this.table = config.dynamodb.tableName;
    this.model = createUserModel(client, this.table);
  }

  async register(user: User, writes?: AccountWrites): Promise<void> {
    const item = toUserItem(user);
    const guard = { user_id: user.userId, created_at: user.createdAt };
    const isNew = 'attribute_not_exists(PK)';
    await this.transact(
      {
        TransactItems: [
          { Put: { TableName: this.table, Item: item, ConditionExpression: isNew } },
          {
            Put: {
              TableName: this.table,
              Item: { ...keys.usernameGuard(user.username), entity: 'username_guard', ...guard },
              ConditionExpression: isNew,
            },
          },
          {
            Put: {
              TableName: this.table,
              Item: { ...keys.emailGuard(user.email), entity: 'email_guard', ...guard },
              ConditionExpression: isNew,
            },
          },
          {
            Put: {
              TableName: this.table,
              Item: newBalanceItem(user.userId, user.createdAt),
              ConditionExpression: isNew,
            },
          },
          ...accountWriteItems(this.table, writes),
        ],
      },
      registrationConflict,
    );
  }

  async findById(userId: string): Promise<User | null> {
    const found = await store(() => this.model.get(modelKey(userId), { consistent: true }));
    return found ? fromUserItem(found.toJSON() as UserItem) : null;
  }

  async findByUsernameOrEmail(identifier: string): Promise<User | null> {
    const key = identifier.includes('@')
      ? keys.emailGuard(identifier)
      : keys.usernameGuard(identifier);
    const guard = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }),
    );
    const userId = (guard.Item as GuardItem | undefined)?.user_id;
    return userId ? this.findById(userId) : null;
  }

  async updateProfile(
    current: User,
    changes: ProfileChanges,
    now: string,
    writes?: AccountWrites,
  ): Promise<User> {
    if (changes.email !== undefined && changes.email !== current.email) {
      return this.changeEmail(current, changes, changes.email, now, writes);
    }
    const { set, remove } = profileUpdate(changes, now);
    try {
      const updated = await store(() =>
        this.model.update(
          modelKey(current.userId),
          { $SET: set, $REMOVE: remove },
          { condition: new dynamoose.Condition('PK').exists(), return: 'item' },
        ),
      );
      return fromUserItem(updated.toJSON() as UserItem);
    } catch (err) {
      if (isConditionalCheckFailed(err)) throw new UserNotFoundError();
      throw err;
    }
  }

  async rehashPassword(
    userId: string,
    previousHash: string,
    passwordHash: string,
    now: string,
  ): Promise<boolean> {
    try {
      await store(() =>
        this.model.update(
          modelKey(userId),
          { $SET: { password_hash: passwordHash, updated_at: now } },
          { condition: new dynamoose.Condition('password_hash').eq(previousHash) },
        ),
      );
      return true;
    } catch (err) {
      if (isConditionalCheckFailed(err)) return false;
      throw err;
    }
  }

  /**
   * One TransactWriteItems: the user update (conditional on the version the caller verified) and,
   * for a change made through a session, that session's `credential_version` set to the new one, so
   * the changer survives with no exception to the rule and every other session is dead at once.
   */
  async changePassword(
    userId: string,
    expectedVersion: number,
    passwordHash: string,
    now: string,
    bySessionId: string | null,
  ): Promise<void> {
    const next = expectedVersion + 1;
    const values: Record<string, unknown> = {
      ':hash': passwordHash,
      ':now': now,
      ':next': next,
      ':expected': expectedVersion,
    };
    let expression =
      'SET password_hash = :hash, updated_at = :now, password_changed_at = :now, credential_version = :next';
    if (bySessionId) {
      expression += ', password_changed_by_session = :sid';
      values[':sid'] = bySessionId;
    } else expression += ' REMOVE password_changed_by_session';
    // A missing credential_version is version 0.
    const versionMatches =
      expectedVersion === 0
        ? '(attribute_not_exists(credential_version) OR credential_version = :expected)'
        : 'credential_version = :expected';
    const items: NonNullable<TransactWriteCommandInput['TransactItems']> = [
      {
        Update: {
          TableName: this.table,
          Key: keys.user(userId),
          UpdateExpression: expression,
          ConditionExpression: `attribute_exists(PK) AND ${versionMatches}`,
          ExpressionAttributeValues: values,
        },
      },
    ];
    if (bySessionId) {
      items.push({
        Update: {
          TableName: this.table,
          Key: keys.session(userId, bySessionId),
          UpdateExpression: 'SET credential_version = :next',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeValues: { ':next': next },
        },
      });
    }
    await this.transact({ TransactItems: items }, (codes) => {
      if (isConditionFailure(codes[PASSWORD_CHANGE.user])) return new ConcurrentUpdateError();
      if (isConditionFailure(codes[PASSWORD_CHANGE.session])) return new ChangerSessionGoneError();
      return null;
    });
  }

  async setRole(userId: string, role: UserRole, now: string): Promise<User> {
    try {
      const updated = await store(() =>
        this.model.update(
          modelKey(userId),
          { $SET: { role, updated_at: now } },
          { condition: new dynamoose.Condition('PK').exists(), return: 'item' },
        ),
      );
      return fromUserItem(updated.toJSON() as UserItem);
    } catch (err) {
      if (isConditionalCheckFailed(err)) throw new UserNotFoundError();
      throw err;
    }
  }

  /** User update, old guard delete and new guard put in one transaction. */
  private async changeEmail(
    current: User,
    changes: ProfileChanges,
    email: string,
    now: string,
    writes?: AccountWrites,
  ): Promise<User> {
    const { set, remove } = profileUpdate(changes, now);
    // The new address is unverified until its own link is followed.
    set.email_verified = false;
    remove.push('email_verified_at');
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':old_email': current.email };
    const assignments = Object.entries(set).map(([attr, value], i) => {
      names[`#s${i}`] = attr;
      values[`:s${i}`] = value;
      return `#s${i} = :s${i}`;
    });
    const removals = remove.map((attr, i) => {
      names[`#r${i}`] = attr;
      return `#r${i}`;
    });
    names['#email'] = 'email';
    const expression =
      `SET ${assignments.join(', ')}` + (removals.length ? ` REMOVE ${removals.join(', ')}` : '');
    await this.transact(
      {
        TransactItems: [
          {
            Update: {
              TableName: this.table,
              Key: keys.user(current.userId),
              UpdateExpression: expression,
              ConditionExpression: 'attribute_exists(PK) AND #email = :old_email',
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: values,
            },
          },
          {
            Delete: {
              TableName: this.table,
              Key: keys.emailGuard(current.email),
              ConditionExpression: 'attribute_not_exists(PK) OR user_id = :uid',
              ExpressionAttributeValues: { ':uid': current.userId },
            },
          },
          {
            Put: {
              TableName: this.table,
              Item: {
                ...keys.emailGuard(email),
                entity: 'email_guard',
                user_id: current.userId,
                created_at: now,
              },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
          ...accountWriteItems(this.table, writes),
        ],
      },
      (codes) => {
        if (isConditionFailure(codes[EMAIL_CHANGE.newGuard])) return new EmailTakenError();
        if (
          isConditionFailure(codes[EMAIL_CHANGE.user]) ||
          isConditionFailure(codes[EMAIL_CHANGE.oldGuard])
        ) {
          return new ConcurrentUpdateError();
        }
        return null;
      },
    );
    const updated = await this.findById(current.userId);
    if (!updated) throw new UserNotFoundError();
    return updated;
  }

  private transact(
    input: Omit<TransactWriteCommandInput, 'ClientRequestToken'>,
    onCancelled: (codes: string[]) => Error | null,
  ): Promise<void> {
    return transactWrite(this.doc, input, onCancelled);
  }
}

/** The user item key as dynamoose wants it (a plain object). */
const modelKey = (userId: string) => ({ ...keys.user(userId) });

/** SET/REMOVE attribute maps of a profile change (null clears). */
function profileUpdate(
  changes: ProfileChanges,
  now: string,
): { set: Record<string, unknown>; remove: string[] } {
  const set: Record<string, unknown> = { updated_at: now };
  const remove: string[] = [];
  for (const [field, attribute] of Object.entries(PROFILE_ATTRIBUTES)) {
    const value = changes[field as keyof ProfileChanges];
    if (value === undefined) continue;
    if (value === null) remove.push(attribute);
    else set[attribute] = value;
  }
  return { set, remove };
}
