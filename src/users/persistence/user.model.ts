import type { DynamoDB } from '@aws-sdk/client-dynamodb';
import * as dynamoose from 'dynamoose';
import type { Item } from 'dynamoose/dist/Item';
import type { ModelType } from 'dynamoose/dist/General';
import type { UserItem } from './user.item';

export type UserDocument = Item & UserItem;
export type UserModel = ModelType<UserDocument>;

let sequence = 0;

const userSchema = () =>
  new dynamoose.Schema(
    {
      PK: { type: String, hashKey: true },
      SK: { type: String, rangeKey: true },
      entity: { type: String, enum: ['user'] },
      user_id: String,
      username: String,
      email: String,
      password_hash: String,
      first_name: String,
      last_name: String,
      phone: String,
      date_of_birth: String,
      marketing_emails_consent: Boolean,
      role: { type: String, enum: ['customer', 'admin'] },
      status: { type: String, enum: ['active', 'disabled'] },
      created_at: String,
      updated_at: String,
      credential_version: Number,
      password_changed_at: String,
      password_changed_by_session: String,
      email_verified: Boolean,
      email_verified_at: String,
      disabled_reason: String,
      disabled_by: String,
      disabled_at: String,
    },
    { saveUnknown: false },
  );

/**
 * The dynamoose model of the User item, bound to this application's SDK client and table through
 * its own dynamoose Instance, so several apps in one process (tests) never share a client.
 */
export function createUserModel(client: DynamoDB, tableName: string): UserModel {
  const instance = new dynamoose.Instance();
  instance.aws.ddb.set(client);
  sequence += 1;
  const model = dynamoose.model<UserDocument>(`User${sequence}`, userSchema(), {
    tableName: `user-model-${sequence}`,
  });
  new instance.Table(tableName, [model], {
    create: false,
    update: false,
    waitForActive: false,
  });
  return model;
}
