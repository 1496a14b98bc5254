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
import { ClientClosedRequestError } from '../../common/http/client-abort-signal.decorator';
import { APP_CONFIG, AppConfig } from '../../config';
import { batchedReadsOf } from '../../database/batched-reads';
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
import { queryAllWithPrefix } from './query-prefix';
import {
  IdempotencyItem,
  toBalance,
  toIdempotencyRecord,
  toTransaction,
  TransactionItem,
} from './ledger.items';
import { movementOutcome, movementTransaction } from './movement.transaction';

type Item = Record<string, NativeAttributeValue>;

/** What `toBalance` reads. */
const BALANCE_ATTRIBUTES = ['user_id', 'current_cents', 'held_cents', 'version', 'updated_at'];

/** Items DynamoDB reads per Query of the history. */
const QUERY_PAGE = 100;
/**
 * Items one history request may examine (10 Queries of 100). A filter that matches few answers a
 * short page with `has_more` and a cursor at the last item examined, instead of reading the whole
 * ledger in one request.
 */
export const HISTORY_SCAN_CAP = 1000;

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

  /** Strongly consistent; coalesced with the other reads of this turn (the session check's). */
  async getBalance(userId: string): Promise<Balance | null> {
    const item = await guarded(() =>
      batchedReadsOf(this.db, this.table).get(keys.balance(userId), BALANCE_ATTRIBUTES),
    );
    return item ? toBalance(item as BalanceItem) : null;
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

  async listTransactions(
    userId: string,
    query: TransactionQuery,
    signal?: AbortSignal,
  ): Promise<TransactionPage> {
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
    // An old client's offset is paid for on top of the cap; it is bounded by validation.
    const budget = skip + HISTORY_SCAN_CAP;
    const found: LedgerTransaction[] = [];
    let examined = 0;
    let startKey: Item | undefined = query.after
      ? keys.transaction(userId, query.after)
      : undefined;
    do {
      // A filter decides nothing about how many items DynamoDB reads: read whole pages then.
      const page = filters.length > 0 ? QUERY_PAGE : Math.min(QUERY_PAGE, wanted - found.length);
      const input: QueryCommandInput = {
        TableName: this.table,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :tx)',
        ExpressionAttributeValues: values,
        ScanIndexForward: false,
        ConsistentRead: true,
        Limit: Math.min(page, budget - examined),
        ExclusiveStartKey: startKey,
      };
      if (filters.length > 0) {
        input.FilterExpression = filters.join(' AND ');
        input.ExpressionAttributeNames = names;
      }
      const out = await this.queryUnlessGone(input, signal);
      examined += out.ScannedCount ?? out.Items?.length ?? 0;
      for (const item of out.Items ?? []) found.push(toTransaction(item as TransactionItem));
      startKey = out.LastEvaluatedKey;
    } while (startKey && found.length < wanted && examined < budget);
    const page = found.slice(skip);
    if (page.length > query.limit)
      return { transactions: page.slice(0, query.limit), hasMore: true };
    if (!startKey) return { transactions: page, hasMore: false };
    // The cap ended the scan: a short page, continued from the last item examined.
    const resumeAfter = String(startKey.SK).slice(SK_PREFIX.transaction.length);
    return { transactions: page, hasMore: true, resumeAfter };
  }

  /** One Query, not started (and abandoned) once the client is gone. */
  private async queryUnlessGone(input: QueryCommandInput, signal?: AbortSignal) {
    if (signal?.aborted) throw new ClientClosedRequestError();
    try {
      return await guarded(() => this.db.send(new QueryCommand(input), { abortSignal: signal }));
    } catch (err) {
      if (signal?.aborted) throw new ClientClosedRequestError();
      throw err;
    }
  }

  async listAllTransactions(userId: string): Promise<LedgerTransaction[]> {
    const items = await queryAllWithPrefix(this.db, this.table, userId, SK_PREFIX.transaction);
    return items.map((item) => toTransaction(item as TransactionItem));
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
