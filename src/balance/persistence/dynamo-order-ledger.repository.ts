import type { NativeAttributeValue } from '@aws-sdk/lib-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config';
import { DYNAMODB_DOCUMENT_CLIENT } from '../../database/database.tokens';
import { HOLD_EXPIRY_SHARDS, holdExpiryShard, keys, SK_PREFIX } from '../../database/keys';
import type { LedgerTransaction } from '../domain/ledger';
import { guarded, storeError } from './dynamo-errors';
import { queryAllWithPrefix } from './query-prefix';
import { toTransaction, TransactionItem } from './ledger.items';
import {
  ExpiredHold,
  Holding,
  OrderLedgerRepository,
  OrderRecord,
  OrderWrite,
  OrderWriteOutcome,
} from './order-ledger.repository';
import { orderOutcome, orderTransaction } from './order.transaction';

type Item = Record<string, NativeAttributeValue>;

function toHolding(item: Item): Holding {
  return {
    userId: String(item.user_id),
    assetId: String(item.asset_id),
    quantityUnits: Number(item.quantity_units ?? 0),
    updatedAt: String(item.updated_at),
  };
}

/** DynamoDB adapter of the order-ledger port (raw SDK: transactions and hot reads). */
@Injectable()
export class DynamoOrderLedgerRepository extends OrderLedgerRepository {
  private readonly table: string;

  constructor(
    @Inject(DYNAMODB_DOCUMENT_CLIENT) private readonly db: DynamoDBDocumentClient,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    super();
    this.table = config.dynamodb.tableName;
  }

  private async get(key: { PK: string; SK: string }): Promise<Item | undefined> {
    const out = await guarded(() =>
      this.db.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true })),
    );
    return out.Item;
  }

  async getTransaction(userId: string, transactionId: string): Promise<LedgerTransaction | null> {
    const item = await this.get(keys.transaction(userId, transactionId));
    return item ? toTransaction(item as TransactionItem) : null;
  }

  async findOrder(userId: string, orderId: string): Promise<OrderRecord | null> {
    const item = await this.get(keys.order(userId, orderId));
    if (!item) return null;
    return {
      orderId,
      requestHash: String(item.request_hash),
      transactionId: String(item.transaction_id),
    };
  }

  async getHolding(userId: string, assetId: string): Promise<Holding | null> {
    const item = await this.get(keys.asset(userId, assetId));
    return item ? toHolding(item) : null;
  }

  async listHoldings(userId: string): Promise<Holding[]> {
    return (await this.listAllHoldings(userId)).filter((h) => h.quantityUnits > 0);
  }

  async listAllHoldings(userId: string): Promise<Holding[]> {
    const items = await queryAllWithPrefix(this.db, this.table, userId, SK_PREFIX.asset);
    return items.map(toHolding);
  }

  /** One send (the SDK retries it with the same ClientRequestToken). */
  async applyOrderWrite(write: OrderWrite): Promise<OrderWriteOutcome> {
    const { input, parts } = orderTransaction(this.table, write);
    let outcome: OrderWriteOutcome | undefined;
    try {
      await this.db.send(new TransactWriteCommand(input));
      return 'applied';
    } catch (err) {
      outcome = orderOutcome(err, write, parts);
      if (!outcome) throw storeError(err);
    }
    if (outcome !== 'not_pending') return outcome;
    // No longer pending: resolved by this very write (an earlier send landed) or by another one.
    const tx = await this.get(
      keys.transaction(write.transaction.userId, write.transaction.transactionId),
    );
    return tx?.resolution_token === write.token ? 'applied' : 'not_pending';
  }

  async forgetExpiredHold(hold: ExpiredHold): Promise<void> {
    const key = keys.holdExpiry(
      holdExpiryShard(hold.transactionId),
      hold.expiresAt,
      hold.userId,
      hold.transactionId,
    );
    await guarded(() => this.db.send(new DeleteCommand({ TableName: this.table, Key: key })));
  }

  async listExpiredHolds(now: Date, limit: number): Promise<ExpiredHold[]> {
    const bound = `${now.toISOString()}#\uffff`;
    const perShard = await Promise.all(
      Array.from({ length: HOLD_EXPIRY_SHARDS }, (_, shard) =>
        guarded(() =>
          this.db.send(
            new QueryCommand({
              TableName: this.table,
              KeyConditionExpression: 'PK = :pk AND SK < :bound',
              ExpressionAttributeValues: { ':pk': `HOLDEXP#${shard}`, ':bound': bound },
              ConsistentRead: true,
              Limit: limit,
            }),
          ),
        ),
      ),
    );
    return perShard
      .flatMap((out) => out.Items ?? [])
      .map((item) => ({
        userId: String(item.user_id),
        transactionId: String(item.transaction_id),
        expiresAt: String(item.expires_at_iso),
      }))
      .sort((a, b) => a.expiresAt.localeCompare(b.expiresAt))
      .slice(0, limit);
  }
}
