import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { ServiceUnavailableError } from '../../common/errors';
import { EmailTakenError, UsernameTakenError } from '../users.errors';
import { registrationConflict } from './dynamo-user.repository';
import {
  cancellationCodes,
  isStoreOutage,
  isTransactionConflict,
  store,
} from '../../database/dynamo-errors';
import { networkOutage } from '../../database/testing/network-outage';

function cancelled(...codes: string[]): TransactionCanceledException {
  return new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
}

describe('registration transaction cancellation reasons', () => {
  it('maps the username guard to username_taken and the e-mail guard to email_taken', () => {
    const codes = (e: TransactionCanceledException) => cancellationCodes(e) ?? [];
    expect(
      registrationConflict(codes(cancelled('None', 'ConditionalCheckFailed', 'None', 'None'))),
    ).toBeInstanceOf(UsernameTakenError);
    expect(
      registrationConflict(codes(cancelled('None', 'None', 'ConditionalCheckFailed', 'None'))),
    ).toBeInstanceOf(EmailTakenError);
    expect(
      registrationConflict(
        codes(cancelled('None', 'ConditionalCheckFailed', 'ConditionalCheckFailed', 'None')),
      ),
    ).toBeInstanceOf(UsernameTakenError);
  });

  it.each([
    ['the user item', ['ConditionalCheckFailed', 'None', 'None', 'None']],
    ['the balance item', ['None', 'None', 'None', 'ConditionalCheckFailed']],
  ])('answers 503 (retry) when %s already exists: a fresh id taken, never a 500', (_, codes) => {
    const error = registrationConflict(codes);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(error?.message).toBe('Could not allocate a user id; retry.');
  });

  it('treats a pure TransactionConflict as retryable, not as a conflict', () => {
    const codes = cancellationCodes(cancelled('TransactionConflict', 'None', 'None', 'None')) ?? [];
    expect(registrationConflict(codes)).toBeNull();
    expect(isTransactionConflict(codes)).toBe(true);
    expect(cancellationCodes(new Error('other'))).toBeNull();
  });
});

describe('DynamoDB outages', () => {
  it('become 503 service_unavailable; conditional failures and request bugs pass through', async () => {
    const refused = networkOutage();
    await expect(store(() => Promise.reject(refused))).rejects.toMatchObject({
      status: 503,
      code: 'service_unavailable',
    });
    const throttled = Object.assign(new Error('slow down'), {
      name: 'ThrottlingException',
      $metadata: {},
    });
    expect(isStoreOutage(throttled)).toBe(true);
    const conditional = Object.assign(new Error('no'), {
      name: 'ConditionalCheckFailedException',
      $metadata: {},
    });
    await expect(store(() => Promise.reject(conditional))).rejects.toBe(conditional);
    const bug = Object.assign(new Error('bad'), { name: 'ValidationException', $metadata: {} });
    expect(isStoreOutage(bug)).toBe(false);
    expect(isStoreOutage(cancelled('ConditionalCheckFailed'))).toBe(false);
    expect(isStoreOutage(new TypeError('a bug'))).toBe(false);
  });
});
