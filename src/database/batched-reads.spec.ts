import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ServiceUnavailableError } from '../common/errors';
import { BatchedItemReads, batchedReadsOf, Item, ItemKey } from './batched-reads';
import { networkOutage } from './testing/network-outage';

const TABLE = 't';
const key = (n: number | string): ItemKey => ({ PK: `U${n}`, SK: 'BALANCE' });

/** A document client whose BatchGetItem answers from `items`, recording every request. */
function store(
  items: Item[],
  behaviour: (input: BatchGetCommand['input'], call: number) => unknown = () => undefined,
) {
  const requests: BatchGetCommand['input'][] = [];
  const send = jest.fn(async (command: unknown) => {
    if (!(command instanceof BatchGetCommand)) throw new Error('unexpected command');
    requests.push(command.input);
    const special = behaviour(command.input, requests.length);
    if (special instanceof Error) throw special;
    if (special) return special;
    const keys = command.input.RequestItems![TABLE].Keys as ItemKey[];
    const found = items.filter((i) => keys.some((k) => k.PK === i.PK && k.SK === i.SK));
    return { Responses: { [TABLE]: found.map((i) => ({ ...i })) } };
  });
  const doc = { send } as unknown as DynamoDBDocumentClient;
  return { reads: new BatchedItemReads(doc, TABLE), requests, doc };
}

const balance = (n: number) => ({ ...key(n), current_cents: n, version: 1 });

describe('BatchedItemReads', () => {
  it('sends the reads of one turn as one consistent BatchGetItem and answers each reader', async () => {
    const { reads, requests } = store([balance(1), balance(2)]);
    const [a, b, missing] = await Promise.all([
      reads.get(key(1)),
      reads.get(key(2)),
      reads.get(key(3)),
    ]);
    expect(requests).toHaveLength(1);
    expect(requests[0].RequestItems![TABLE]).toMatchObject({ ConsistentRead: true });
    expect(requests[0].RequestItems![TABLE].Keys).toEqual([key(1), key(2), key(3)]);
    expect(a).toEqual(balance(1));
    expect(b).toEqual(balance(2));
    expect(missing).toBeUndefined();
  });

  it('sends a read issued after a batch left in the next batch (never an answer older than the ask)', async () => {
    const { reads, requests } = store([balance(1)]);
    await reads.get(key(1));
    await reads.get(key(1));
    expect(requests).toHaveLength(2);
  });

  it('reads a key asked twice in one turn once, and gives each reader its own copy', async () => {
    const { reads, requests } = store([balance(1)]);
    const [a, b] = await Promise.all([reads.get(key(1)), reads.get(key(1))]);
    expect(requests[0].RequestItems![TABLE].Keys).toEqual([key(1)]);
    expect(a).toEqual(b);
    expect(a).not.toBe(b);
  });

  it('merges projections (plus the key), and reads whole items when one reader wants them', async () => {
    const { reads, requests } = store([balance(1), balance(2)]);
    await Promise.all([reads.get(key(1), ['version']), reads.get(key(2), ['current_cents'])]);
    const first = requests[0].RequestItems![TABLE];
    expect(Object.values(first.ExpressionAttributeNames!).sort()).toEqual(
      ['PK', 'SK', 'current_cents', 'version'].sort(),
    );
    expect(first.ProjectionExpression!.split(', ').sort()).toEqual(
      Object.keys(first.ExpressionAttributeNames!).sort(),
    );
    await Promise.all([reads.get(key(1), ['version']), reads.get(key(2))]);
    expect(requests[1].RequestItems![TABLE].ProjectionExpression).toBeUndefined();
    expect(requests[1].RequestItems![TABLE].ExpressionAttributeNames).toBeUndefined();
  });

  it('splits more than 100 keys into batches of at most 100', async () => {
    const items = Array.from({ length: 250 }, (_, n) => balance(n));
    const { reads, requests } = store(items);
    const answers = await Promise.all(items.map((_, n) => reads.get(key(n))));
    expect(requests.map((r) => r.RequestItems![TABLE].Keys!.length)).toEqual([100, 100, 50]);
    expect(answers.map((a) => a?.current_cents)).toEqual(items.map((i) => i.current_cents));
  });

  it('resends unprocessed keys, and answers 503 when DynamoDB keeps leaving them', async () => {
    const { reads, requests } = store([balance(1), balance(2)], (input, call) =>
      call === 1
        ? {
            Responses: { [TABLE]: [balance(1)] },
            UnprocessedKeys: { [TABLE]: { Keys: [key(2)] } },
          }
        : undefined,
    );
    const [a, b] = await Promise.all([reads.get(key(1)), reads.get(key(2))]);
    expect([a, b]).toEqual([balance(1), balance(2)]);
    expect(requests[1].RequestItems![TABLE].Keys).toEqual([key(2)]);

    const stuck = store([balance(1)], () => ({
      Responses: { [TABLE]: [] },
      UnprocessedKeys: { [TABLE]: { Keys: [key(1)] } },
    }));
    await expect(stuck.reads.get(key(1))).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(stuck.requests).toHaveLength(3);
  });

  it('gives every reader of a failed batch the error (an outage)', async () => {
    const outage = networkOutage();
    const { reads } = store([balance(1)], () => outage);
    const results = await Promise.allSettled([reads.get(key(1)), reads.get(key(2))]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(results.map((r) => (r as PromiseRejectedResult).reason)).toEqual([outage, outage]);
  });

  it('splits a batch DynamoDB refuses as malformed, so only the reader of the bad key fails', async () => {
    const bad: ItemKey = { PK: 'x'.repeat(3000), SK: 'BALANCE' };
    const { reads, requests } = store([balance(1)], (input) =>
      (input.RequestItems![TABLE].Keys as ItemKey[]).some((k) => k.PK === bad.PK)
        ? Object.assign(new Error('key too long'), { name: 'ValidationException' })
        : undefined,
    );
    const [good, refused] = await Promise.allSettled([reads.get(key(1)), reads.get(bad)]);
    expect(good).toEqual({ status: 'fulfilled', value: balance(1) });
    expect(refused).toMatchObject({ status: 'rejected', reason: { name: 'ValidationException' } });
    expect(requests.map((r) => r.RequestItems![TABLE].Keys!.length)).toEqual([2, 1, 1]);
  });

  it('is shared per document client and table', () => {
    const { doc } = store([]);
    expect(batchedReadsOf(doc, 'a')).toBe(batchedReadsOf(doc, 'a'));
    expect(batchedReadsOf(doc, 'a')).not.toBe(batchedReadsOf(doc, 'b'));
    expect(batchedReadsOf(doc, 'a')).not.toBe(batchedReadsOf(store([]).doc, 'a'));
  });
});
