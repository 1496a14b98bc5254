import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { NativeAttributeValue } from '@aws-sdk/lib-dynamodb';
import { ServiceUnavailableError } from '../common/errors';
import { backoffMs, isSdkRequestBug, sleep } from './dynamo-errors';

export type Item = Record<string, NativeAttributeValue>;
export interface ItemKey {
  PK: string;
  SK: string;
}

/** BatchGetItem takes at most 100 keys. */
export const BATCH_GET_MAX_KEYS = 100;
/** Sends of one batch while DynamoDB leaves keys unprocessed (throttling), then 503. */
const UNPROCESSED_ATTEMPTS = 3;

interface Waiter {
  resolve(item: Item | undefined): void;
  reject(err: unknown): void;
}

interface PendingRead {
  key: ItemKey;
  /** The attribute lists the readers asked for (adapters pass constants); null: the whole item. */
  attributes: (readonly string[])[] | null;
  waiters: Waiter[];
}

const idOf = (key: ItemKey) => `${key.PK}\u0000${key.SK}`;

/**
 * Strongly consistent single-item reads, coalesced: every `get` issued during one turn of the event
 * loop goes out in one BatchGetItem (`ConsistentRead`), sent from `setImmediate`. That is how the
 * session check and the route's own first read (the balance, started by the JWT guard alongside it)
 * cost one DynamoDB call and one round trip; under load, reads of concurrent requests share calls.
 *
 * - Each read is sent after it was asked for, so it sees every write acknowledged before it.
 * - The same key asked twice in one turn is read once; each reader gets its own copy of the item.
 * - Projections are merged (the union, plus the key); a reader that wants the whole item gets it.
 * - Unprocessed keys are resent with backoff (3 sends, then 503 `ServiceUnavailableError`).
 * - A batch that DynamoDB refuses as malformed (one bad key would refuse the whole batch) is split
 *   into single-key batches, so a reader only ever sees an error its own key caused.
 *
 * Errors are the SDK's: callers map them (outage → 503) as they do for their other calls.
 */
export class BatchedItemReads {
  private pending = new Map<string, PendingRead>();
  private scheduled = false;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  get(key: ItemKey, attributes?: readonly string[]): Promise<Item | undefined> {
    return new Promise((resolve, reject) => {
      const id = idOf(key);
      let read = this.pending.get(id);
      if (!read) {
        read = { key: { PK: key.PK, SK: key.SK }, attributes: [], waiters: [] };
        this.pending.set(id, read);
      }
      if (!attributes) read.attributes = null;
      else if (read.attributes && !read.attributes.includes(attributes)) {
        read.attributes.push(attributes);
      }
      read.waiters.push({ resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const reads = [...this.pending.values()];
    this.pending = new Map();
    for (let i = 0; i < reads.length; i += BATCH_GET_MAX_KEYS) {
      void this.settle(reads.slice(i, i + BATCH_GET_MAX_KEYS));
    }
  }

  private async settle(reads: PendingRead[]): Promise<void> {
    let found: Map<string, Item>;
    try {
      found = await this.batchGet(reads);
    } catch (err) {
      if (reads.length > 1 && isSdkRequestBug(err)) {
        await Promise.all(reads.map((read) => this.settle([read])));
        return;
      }
      for (const read of reads) for (const waiter of read.waiters) waiter.reject(err);
      return;
    }
    for (const read of reads) {
      const item = found.get(idOf(read.key));
      const [first, ...others] = read.waiters;
      first.resolve(item);
      for (const waiter of others) waiter.resolve(item ? { ...item } : undefined);
    }
  }

  private async batchGet(reads: PendingRead[]): Promise<Map<string, Item>> {
    const projection = projectionOf(reads);
    const found = new Map<string, Item>();
    let keys: Item[] = reads.map((read) => read.key);
    for (let attempt = 1; keys.length > 0; attempt++) {
      if (attempt > UNPROCESSED_ATTEMPTS) throw new ServiceUnavailableError();
      if (attempt > 1) await sleep(backoffMs(attempt));
      const out = await this.doc.send(
        new BatchGetCommand({
          RequestItems: { [this.table]: { Keys: keys, ConsistentRead: true, ...projection } },
        }),
      );
      for (const item of out.Responses?.[this.table] ?? []) {
        found.set(idOf(item as ItemKey), item);
      }
      keys = out.UnprocessedKeys?.[this.table]?.Keys ?? [];
    }
    return found;
  }
}

/** The union of the reads' attributes and the key, aliased; none when a read wants whole items. */
function projectionOf(reads: PendingRead[]) {
  // Readers pass a few constant lists: merge each distinct list once, not once per read.
  const lists = new Set<readonly string[]>();
  for (const read of reads) {
    if (!read.attributes) return {};
    for (const list of read.attributes) lists.add(list);
  }
  const attributes = new Set<string>(['PK', 'SK']);
  for (const list of lists) for (const a of list) attributes.add(a);
  const names: Record<string, string> = {};
  let i = 0;
  for (const a of attributes) names[`#p${i++}`] = a;
  return { ProjectionExpression: Object.keys(names).join(', '), ExpressionAttributeNames: names };
}

const readers = new WeakMap<DynamoDBDocumentClient, Map<string, BatchedItemReads>>();

/** The one coalescing reader of a document client and table: adapters sharing a client share it. */
export function batchedReadsOf(doc: DynamoDBDocumentClient, table: string): BatchedItemReads {
  let byTable = readers.get(doc);
  if (!byTable) {
    byTable = new Map();
    readers.set(doc, byTable);
  }
  let reads = byTable.get(table);
  if (!reads) {
    reads = new BatchedItemReads(doc, table);
    byTable.set(table, reads);
  }
  return reads;
}
