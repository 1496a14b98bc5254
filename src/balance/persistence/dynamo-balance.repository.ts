import type { NativeAttributeValue } from '@aws-sdk/lib-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  QueryCommandInput,
  ScanCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { CLOCK, type NowMs } from '../../common/clock';
import { APP_CONFIG, AppConfig } from '../../config';
import { DYNAMODB_DOCUMENT_CLIENT } from '../../database/database.tokens';
import { keys, SK_PREFIX } from '../../database/keys';
import type { Balance, IdempotencyRecord, LedgerTransaction } from '../domain/ledger';
import type { BalanceItem } from './balance.item';
import {
  BalanceRepository,
  MovementOutcome,
  MovementWrite,
  TransactionPage,
  TransactionQuery,
} from './balance.repository';
import { guarded, storeError } from './dynamo-errors';
import {
  IdempotencyItem,
  toBalance,
  toIdempotencyRecord,
  toTransaction,
  TransactionItem,
} from './ledger.items';
import { movementOutcome, movementTransaction } from './movement.transaction';

type Item = Record<string, NativeAttributeValue>;

const QUERY_PAGE = 100;

/** DynamoDB adapter of the balance port; the only place that knows keys and expressions. */
@Injectable()
export class DynamoBalanceRepository extends BalanceRepository {
  private readonly table: string;

  constructor(
    @Inject(DYNAMODB_DOCUMENT_CLIENT) private readonly db: DynamoDBDocumentClient,
    @Inject(APP_CONFIG) config: AppConfig,
    @Optional() @Inject(CLOCK) private readonly nowMs: NowMs = Date.now,
  ) {
    super();
    this.table = config.dynamodb.tableName;
  }

  async getBalance(userId: string): Promise<Balance | null> {
    const out = await guarded(() =>
      this.db.send(
        new GetCommand({ TableName: this.table, Key: keys.balance(userId), ConsistentRead: true }),
      ),
    );
    return out.Item ? toBalance(out.Item as BalanceItem) : null;
  }

  /** One send of the write (the SDK retries it with the same ClientRequestToken). */
  async applyMovement(write: MovementWrite): Promise<MovementOutcome> {
    try {
      await this.db.send(new TransactWriteCommand(movementTransaction(this.table, write)));
      return 'applied';
    } catch (err) {
      const outcome = movementOutcome(err, write);
      if (!outcome) throw storeError(err);
      return outcome;
    }
  }

  async findIdempotencyRecord(userId: string, key: string): Promise<IdempotencyRecord | null> {
    const out = await guarded(() =>
      this.db.send(
        new GetCommand({
          TableName: this.table,
          Key: keys.idempotency(userId, key),
          ConsistentRead: true,
        }),
      ),
    );
    const item = out.Item as IdempotencyItem | undefined;
    if (!item || Number(item.expires_at) * 1000 <= this.nowMs()) return null;
    return toIdempotencyRecord(key, item);
  }

  async listTransactions(userId: string, query: TransactionQuery): Promise<TransactionPage> {
    const filters: string[] = [];
    const names: Record<string, string> = {};
    const values: Item = { ':pk': userId, ':tx': SK_PREFIX.transaction };
    if (query.type) {
      filters.push('#type = :type');
      names['#type'] = 'transaction_type';
      values[':type'] = query.type;
    }
    if (query.status) {
      filters.push('#status = :status');
      names['#status'] = 'status';
      values[':status'] = query.status;
    }
    const skip = query.skip ?? 0;
    const wanted = skip + query.limit + 1;
    const found: LedgerTransaction[] = [];
    let startKey: Item | undefined = query.after
      ? keys.transaction(userId, query.after)
      : undefined;
    do {
      const input: QueryCommandInput = {
        TableName: this.table,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :tx)',
        ExpressionAttributeValues: values,
        ScanIndexForward: false,
        ConsistentRead: true,
        Limit: Math.min(QUERY_PAGE, wanted - found.length),
        ExclusiveStartKey: startKey,
      };
      if (filters.length > 0) {
        input.FilterExpression = filters.join(' AND ');
        input.ExpressionAttributeNames = names;
      }
      const out = await guarded(() => this.db.send(new QueryCommand(input)));
      for (const item of out.Items ?? []) found.push(toTransaction(item as TransactionItem));
      startKey = out.LastEvaluatedKey;
    } while (startKey && found.length < wanted);
    const page = found.slice(skip);
    return { transactions: page.slice(0, query.limit), hasMore: page.length > query.limit };
  }

  async listAllTransactions(userId: string): Promise<LedgerTransaction[]> {
    const all: LedgerTransaction[] = [];
    let startKey: Item | undefined;
    do {
      const out = await guarded(() =>
        this.db.send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: 'PK = :pk AND begins_with(SK, :tx)',
            ExpressionAttributeValues: { ':pk': userId, ':tx': SK_PREFIX.transaction },
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      for (const item of out.Items ?? []) all.push(toTransaction(item as TransactionItem));
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return all;
  }

  async *listLedgerUserIds(): AsyncIterable<string> {
    const seen = new Set<string>();
    let startKey: Item | undefined;
    do {
      const out = await guarded(() =>
        this.db.send(
          new ScanCommand({
            TableName: this.table,
            FilterExpression: 'SK = :balance OR begins_with(SK, :tx)',
            ProjectionExpression: 'PK',
            ExpressionAttributeValues: {
              ':balance': keys.balance('').SK,
              ':tx': SK_PREFIX.transaction,
            },
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      for (const item of out.Items ?? []) {
        const userId = String(item.PK);
        if (!seen.has(userId)) {
          seen.add(userId);
          yield userId;
        }
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey);
  }
}
