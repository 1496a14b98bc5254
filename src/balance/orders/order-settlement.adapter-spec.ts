import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { HOLD_EXPIRY_SHARDS, holdExpiryShard, keys } from '../../database/keys';
import { Counter, Registry } from 'prom-client';
import { createLogger } from '../../common/logging/logger';
import { QUANTITY_SCALE, MAX_HOLDING_UNITS } from '../../common/money';
import { useTestTable } from '../../database/testing/contract-fixture';
import { spyOnSend } from '../../database/testing/send-spy';
import { newBalanceItem } from '../persistence/balance.item';
import { DynamoBalanceRepository } from '../persistence/dynamo-balance.repository';
import { DynamoOrderLedgerRepository } from '../persistence/dynamo-order-ledger.repository';
import type { OrderWrite } from '../persistence/order-ledger.repository';
import { OrderSettlementService } from './order-settlement.service';

const db = useTestTable('order_settlement');
const table = () => db.table.config.dynamodb.tableName;

/**
 * The order side of the ledger through the real DynamoDB adapters (DynamoDB Local): holds,
 * completions, cancellations, expiry, sells, order-id replays, and what each leaves in the
 * balance, the transaction, the holdings and the metrics.
 */
describe('OrderSettlementService with the DynamoDB adapters', () => {
  let service: OrderSettlementService;
  let balances: DynamoBalanceRepository;
  let orders: DynamoOrderLedgerRepository;
  let counter: Counter<string>;
  let info: jest.SpyInstance;
  let warn: jest.SpyInstance;
  let userId: string;

  beforeEach(async () => {
    const { doc, config } = db.table;
    balances = new DynamoBalanceRepository(doc, config);
    orders = new DynamoOrderLedgerRepository(doc, config);
    counter = new Counter({
      name: 'balance_operations_total',
      help: 'test',
      labelNames: ['operation', 'result'],
      registers: [new Registry()],
    });
    const logger = createLogger('silent');
    info = jest.spyOn(logger, 'info');
    warn = jest.spyOn(logger, 'warn');
    service = new OrderSettlementService(balances, orders, counter, logger);
    userId = randomUUID();
  });

  async function funded(cents: number, id = userId): Promise<void> {
    await db.table.doc.send(
      new PutCommand({
        TableName: db.table.config.dynamodb.tableName,
        Item: { ...newBalanceItem(id, new Date().toISOString()), current_cents: cents },
      }),
    );
  }

  const count = async (operation: string, result: string) =>
    (await counter.get()).values.find(
      (v) => v.labels.operation === operation && v.labels.result === result,
    )?.value ?? 0;

  const hold = (orderId: string, amountCents: number, expiresInSeconds = 900) =>
    service.hold({ userId, orderId, amountCents, expiresInSeconds, requestId: 'req-1' });

  describe('hold', () => {
    it('moves the amount from available to held and records a pending payment with its expiry', async () => {
      await funded(10_000);
      const before = Date.now();
      const result = await hold('order-1', 2_550, 600);
      expect(result.statusCode).toBe(201);
      expect(result.replayed).toBe(false);
      expect(result.body.balance).toMatchObject({
        user_id: userId,
        current_balance: '100.00',
        available_balance: '74.50',
        held_balance: '25.50',
      });
      expect(result.body.transaction).toMatchObject({
        transaction_type: 'order_payment',
        amount: '-25.50',
        status: 'pending',
        description: 'Hold for order order-1',
        reference_id: 'order-1',
        balance_after: '100.00',
        asset: null,
      });
      const expires = Date.parse(result.body.transaction.hold_expires_at!);
      expect(expires).toBeGreaterThanOrEqual(before + 600_000);
      expect(expires).toBeLessThanOrEqual(Date.now() + 600_000);
      expect(await balances.getBalance(userId)).toMatchObject({
        currentCents: 10_000,
        heldCents: 2_550,
        version: 1,
      });
      expect(await count('hold', 'success')).toBe(1);
      expect(info).toHaveBeenCalledWith(
        expect.objectContaining({
          event: 'balance.order',
          operation: 'hold',
          user_id: userId,
          order_id: 'order-1',
          amount: '-25.50',
          status: 'pending',
          balance_after: '100.00',
          held_after: '25.50',
          request_id: 'req-1',
        }),
        `audit: hold ${result.body.transaction.transaction_id}`,
      );
    });

    it('holds exactly the available amount, and refuses one cent more (422), writing nothing', async () => {
      await funded(1_000);
      await expect(hold('order-1', 1_001)).rejects.toMatchObject({
        status: 422,
        code: 'insufficient_funds',
      });
      expect(await balances.getBalance(userId)).toMatchObject({ heldCents: 0, version: 0 });
      expect(await count('hold', 'insufficient_funds')).toBe(1);
      await expect(hold('order-2', 1_000)).resolves.toMatchObject({ statusCode: 201 });
      // Held money is not available any more.
      await expect(hold('order-3', 1)).rejects.toMatchObject({ code: 'insufficient_funds' });
    });

    it('replays the same order id and request (201, replayed), and refuses another request under it', async () => {
      await funded(10_000);
      const first = await hold('order-1', 500);
      const again = await hold('order-1', 500);
      expect(again).toMatchObject({ statusCode: 201, replayed: true });
      expect(again.body.transaction).toEqual(first.body.transaction);
      expect(await balances.getBalance(userId)).toMatchObject({ heldCents: 500, version: 1 });
      expect(await count('hold', 'replayed')).toBe(1);
      await expect(hold('order-1', 600)).rejects.toMatchObject({
        status: 422,
        code: 'idempotency_key_reused',
      });
    });

    it('answers 404 for a user without a balance', async () => {
      await expect(hold('order-1', 1)).rejects.toMatchObject({ status: 404 });
    });
  });

  describe('complete', () => {
    it('takes the amount paid from the hold, releases the rest and credits the asset', async () => {
      await funded(10_000);
      const held = await hold('order-1', 3_000);
      const transactionId = held.body.transaction.transaction_id;
      const asset = { assetId: 'BTC', quantityUnits: QUANTITY_SCALE / 2 };
      const done = await service.complete({ userId, transactionId, amountCents: 2_500, asset });
      expect(done.statusCode).toBe(200);
      expect(done.body.transaction).toMatchObject({
        transaction_id: transactionId,
        status: 'completed',
        amount: '-25.00',
        balance_after: '75.00',
        asset: { asset_id: 'BTC', quantity: '0.5' },
        hold_expires_at: null,
      });
      expect(done.body.balance).toMatchObject({
        current_balance: '75.00',
        available_balance: '75.00',
        held_balance: '0.00',
      });
      expect(await orders.getHolding(userId, 'BTC')).toMatchObject({
        quantityUnits: QUANTITY_SCALE / 2,
      });
      expect(await count('complete', 'success')).toBe(1);
      // Resolved once: a second completion or a cancellation is 409.
      await expect(service.complete({ userId, transactionId })).rejects.toMatchObject({
        status: 409,
        code: 'transaction_not_pending',
      });
      await expect(service.cancel({ userId, transactionId })).rejects.toMatchObject({
        status: 409,
      });
      expect(await count('complete', 'transaction_not_pending')).toBe(1);
    });

    it('stores the order, hold-expiry and holding items as their entities', async () => {
      await funded(10_000);
      const held = await hold('order-items', 1_000);
      const transactionId = held.body.transaction.transaction_id;
      const expiresAt = held.body.transaction.hold_expires_at!;
      const raw = async (key: { PK: string; SK: string }) =>
        (await db.table.doc.send(new GetCommand({ TableName: table(), Key: key }))).Item;
      const expiryKey = keys.holdExpiry(
        holdExpiryShard(transactionId),
        expiresAt,
        userId,
        transactionId,
      );
      expect(await raw(keys.order(userId, 'order-items'))).toMatchObject({
        entity: 'order',
        transaction_id: transactionId,
      });
      expect(await raw(expiryKey)).toMatchObject({ entity: 'hold_expiry', user_id: userId });
      const asset = { assetId: 'ETH', quantityUnits: 3 };
      await service.complete({ userId, transactionId, asset });
      expect(await raw(keys.asset(userId, 'ETH'))).toMatchObject({
        entity: 'holding',
        quantity_units: 3,
      });
      expect(await raw(expiryKey)).toBeUndefined();
    });

    it('takes the whole hold when no amount is given', async () => {
      await funded(10_000);
      const held = await hold('order-1', 3_000);
      const done = await service.complete({
        userId,
        transactionId: held.body.transaction.transaction_id,
      });
      expect(done.body.transaction).toMatchObject({ amount: '-30.00', asset: null });
      expect(await balances.getBalance(userId)).toMatchObject({
        currentCents: 7_000,
        heldCents: 0,
      });
    });

    it('refuses to take more than was held (422 naming amount), the hold stays', async () => {
      await funded(10_000);
      const held = await hold('order-1', 3_000);
      const transactionId = held.body.transaction.transaction_id;
      await expect(
        service.complete({ userId, transactionId, amountCents: 3_001 }),
      ).rejects.toMatchObject({
        status: 422,
        code: 'amount_exceeds_hold',
        detail: 'The amount is larger than the 30.00 USD held for this order.',
      });
      await expect(
        service.complete({ userId, transactionId, amountCents: 3_000 }),
      ).resolves.toMatchObject({ statusCode: 200 });
    });

    it('refuses a credit that would take a holding over the limit, the hold stays', async () => {
      await funded(10_000);
      const first = await hold('order-1', 100);
      await service.complete({
        userId,
        transactionId: first.body.transaction.transaction_id,
        asset: { assetId: 'ETH', quantityUnits: MAX_HOLDING_UNITS - 1 },
      });
      const second = await hold('order-2', 100);
      const transactionId = second.body.transaction.transaction_id;
      await expect(
        service.complete({ userId, transactionId, asset: { assetId: 'ETH', quantityUnits: 2 } }),
      ).rejects.toMatchObject({ status: 422, code: 'holding_limit_exceeded' });
      // Exactly up to the limit is fine.
      await expect(
        service.complete({ userId, transactionId, asset: { assetId: 'ETH', quantityUnits: 1 } }),
      ).resolves.toMatchObject({ statusCode: 200 });
      expect(await orders.getHolding(userId, 'ETH')).toMatchObject({
        quantityUnits: MAX_HOLDING_UNITS,
      });
    });

    it('answers 404 for an unknown transaction and for another user’s', async () => {
      await funded(10_000);
      const held = await hold('order-1', 100);
      const transactionId = held.body.transaction.transaction_id;
      await expect(
        service.complete({ userId, transactionId: '01ARZ3NDEKTSV4RRFFQ69G5FAV' }),
      ).rejects.toMatchObject({ status: 404 });
      const other = randomUUID();
      await funded(10_000, other);
      await expect(service.complete({ userId: other, transactionId })).rejects.toMatchObject({
        status: 404,
      });
    });
  });

  describe('cancel and expiry', () => {
    it('cancel releases the whole hold and records why', async () => {
      await funded(10_000);
      const held = await hold('order-1', 4_000);
      const transactionId = held.body.transaction.transaction_id;
      const cancelled = await service.cancel({ userId, transactionId });
      expect(cancelled.statusCode).toBe(200);
      expect(cancelled.body.transaction).toMatchObject({
        status: 'cancelled',
        amount: '-40.00',
        balance_after: '100.00',
      });
      expect(await orders.getTransaction(userId, transactionId)).toMatchObject({
        cancelReason: 'cancelled',
      });
      expect(await balances.getBalance(userId)).toMatchObject({
        currentCents: 10_000,
        heldCents: 0,
        version: 2,
      });
      expect(await count('cancel', 'success')).toBe(1);
    });

    it('releases only holds whose expiry has passed, as expired, and forgets resolved ones', async () => {
      await funded(10_000);
      const expiring = await hold('order-1', 1_000, 60);
      const later = await hold('order-2', 2_000, 3_600);
      const resolved = await hold('order-3', 500, 60);
      await service.complete({ userId, transactionId: resolved.body.transaction.transaction_id });
      const at = new Date(Date.now() + 120_000);

      const summary = await service.releaseExpired(at, 1_000);
      // Other tests' holds share the table: count only this user's.
      expect(summary.released).toBeGreaterThanOrEqual(1);
      expect(
        await orders.getTransaction(userId, expiring.body.transaction.transaction_id),
      ).toMatchObject({ status: 'cancelled', cancelReason: 'expired' });
      expect(
        await orders.getTransaction(userId, later.body.transaction.transaction_id),
      ).toMatchObject({ status: 'pending' });
      expect(await balances.getBalance(userId)).toMatchObject({
        currentCents: 9_500,
        heldCents: 2_000,
      });
      const left = await orders.listExpiredHolds(at, 1_000);
      expect(left.filter((h) => h.userId === userId)).toEqual([]);
      expect(await count('release_expired', 'success')).toBeGreaterThanOrEqual(1);
      // Nothing is due any more for this user.
      const again = await service.releaseExpired(at, 1_000);
      expect(again.released).toBe(0);
    });

    it('a release decides nothing for a hold that is not yet expired', async () => {
      await funded(10_000);
      const held = await hold('order-1', 1_000, 3_600);
      const expiresAt = held.body.transaction.hold_expires_at!;
      // At the very instant of expiry it is due; a millisecond before, it is not.
      const before = new Date(Date.parse(expiresAt) - 1);
      const due = await orders.listExpiredHolds(new Date(Date.parse(expiresAt)), 1_000);
      expect(due.some((h) => h.transactionId === held.body.transaction.transaction_id)).toBe(true);
      const notYet = await orders.listExpiredHolds(before, 1_000);
      expect(notYet.some((h) => h.transactionId === held.body.transaction.transaction_id)).toBe(
        false,
      );
      // Listed anyway (an index read racing a clock): the release itself checks and skips it.
      jest
        .spyOn(orders, 'listExpiredHolds')
        .mockResolvedValueOnce([
          { userId, transactionId: held.body.transaction.transaction_id, expiresAt },
        ]);
      expect(await service.releaseExpired(before)).toEqual({ examined: 1, released: 0 });
      expect(
        await orders.getTransaction(userId, held.body.transaction.transaction_id),
      ).toMatchObject({ status: 'pending' });
      expect(await count('release_expired', 'skipped')).toBe(1);
      expect(warn).not.toHaveBeenCalled();
    });
  });

  describe('sell', () => {
    async function owning(units: number): Promise<void> {
      await funded(10_000);
      const held = await hold(`buy-${randomUUID()}`, 100);
      await service.complete({
        userId,
        transactionId: held.body.transaction.transaction_id,
        asset: { assetId: 'BTC', quantityUnits: units },
      });
    }

    it('debits the asset and credits the proceeds in one completed sale', async () => {
      await owning(2 * QUANTITY_SCALE);
      const sold = await service.sell({
        userId,
        orderId: 'sell-1',
        assetId: 'BTC',
        quantityUnits: QUANTITY_SCALE / 4,
        proceedsCents: 12_345,
      });
      expect(sold.statusCode).toBe(201);
      expect(sold.body.transaction).toMatchObject({
        transaction_type: 'order_sale',
        amount: '123.45',
        status: 'completed',
        description: 'Sale of 0.25 BTC (order sell-1)',
        reference_id: 'sell-1',
        balance_after: '222.45',
        asset: { asset_id: 'BTC', quantity: '-0.25' },
      });
      expect(await orders.getHolding(userId, 'BTC')).toMatchObject({
        quantityUnits: 2 * QUANTITY_SCALE - QUANTITY_SCALE / 4,
      });
      expect(await orders.listHoldings(userId)).toEqual([
        expect.objectContaining({
          assetId: 'BTC',
          quantityUnits: 2 * QUANTITY_SCALE - QUANTITY_SCALE / 4,
        }),
      ]);
      expect(await count('sell', 'success')).toBe(1);
    });

    it('sells exactly the holding, refuses a unit more (422), and replays the order id', async () => {
      await owning(QUANTITY_SCALE);
      const sell = (orderId: string, quantityUnits: number) =>
        service.sell({ userId, orderId, assetId: 'BTC', quantityUnits, proceedsCents: 100 });
      await expect(sell('sell-1', QUANTITY_SCALE + 1)).rejects.toMatchObject({
        status: 422,
        code: 'insufficient_holdings',
      });
      const all = await sell('sell-2', QUANTITY_SCALE);
      expect(await orders.getHolding(userId, 'BTC')).toMatchObject({ quantityUnits: 0 });
      // The emptied holding is still stored; the portfolio lists only what is owned.
      expect(await orders.listAllHoldings(userId)).toEqual([
        expect.objectContaining({ assetId: 'BTC', quantityUnits: 0 }),
      ]);
      expect(await orders.listHoldings(userId)).toEqual([]);
      const replay = await sell('sell-2', QUANTITY_SCALE);
      expect(replay).toMatchObject({ statusCode: 201, replayed: true });
      expect(replay.body.transaction).toEqual(all.body.transaction);
      await expect(sell('sell-2', 1)).rejects.toMatchObject({ code: 'idempotency_key_reused' });
      await expect(
        service.sell({ userId, orderId: 'x', assetId: 'ETH', quantityUnits: 1, proceedsCents: 1 }),
      ).rejects.toMatchObject({ code: 'insufficient_holdings' });
    });
  });

  describe('the order ledger adapter alone', () => {
    it('a resolution resent after its first send landed is "applied" for that write, "not_pending" for another', async () => {
      // DynamoDB answers an identical resend with the same ClientRequestToken as a success, for
      // ten minutes. Past that window (simulated by sending without the token) the conditions are
      // evaluated again: the adapter must recognise its own landed write by its resolution token.
      const { doc, config } = db.table;
      const spied = spyOnSend(doc, (command, name, send) =>
        name === 'TransactWriteCommand'
          ? send(
              new TransactWriteCommand({
                ...(command as TransactWriteCommand).input,
                ClientRequestToken: undefined,
              }),
            )
          : undefined,
      );
      const ledger = new DynamoOrderLedgerRepository(spied.doc, config);
      const writes: OrderWrite[] = [];
      const apply = ledger.applyOrderWrite.bind(ledger);
      ledger.applyOrderWrite = (write) => (writes.push(write), apply(write));
      const resolving = new OrderSettlementService(
        balances,
        ledger,
        counter,
        createLogger('silent'),
      );
      await funded(10_000);
      const held = await hold('order-resent', 1_000);
      const transactionId = held.body.transaction.transaction_id;
      await resolving.cancel({ userId, transactionId });
      expect(writes).toHaveLength(1);
      const [landed] = writes;
      await expect(ledger.applyOrderWrite(landed)).resolves.toBe('applied');
      await expect(ledger.applyOrderWrite({ ...landed, token: randomUUID() })).resolves.toBe(
        'not_pending',
      );
      // Nothing moved twice.
      expect(await balances.getBalance(userId)).toMatchObject({
        currentCents: 10_000,
        heldCents: 0,
        version: 2,
      });
    });

    it('lists due holds across its shards oldest first, at most `limit`, and forgets one on request', async () => {
      // Index entries from long before any other test's holds, one per shard, the oldest in the
      // last shard: shard order is the reverse of expiry order.
      const entries = [0, 1, 2, 3].map((n) => {
        const shard = HOLD_EXPIRY_SHARDS - 1 - n;
        const transactionId = `01J0000000000000000000000${String.fromCharCode(48 + shard)}`;
        expect(holdExpiryShard(transactionId)).toBe(shard);
        return { userId, transactionId, expiresAt: `2000-01-01T00:00:0${n}.000Z` };
      });
      for (const e of entries) {
        await db.table.doc.send(
          new PutCommand({
            TableName: table(),
            Item: {
              ...keys.holdExpiry(
                holdExpiryShard(e.transactionId),
                e.expiresAt,
                e.userId,
                e.transactionId,
              ),
              entity: 'hold_expiry',
              user_id: e.userId,
              transaction_id: e.transactionId,
              expires_at_iso: e.expiresAt,
            },
          }),
        );
      }
      const by = new Date('2000-01-02T00:00:00.000Z');
      await expect(orders.listExpiredHolds(by, 3)).resolves.toEqual(entries.slice(0, 3));
      await orders.forgetExpiredHold(entries[0]);
      await expect(orders.listExpiredHolds(by, 10)).resolves.toEqual(entries.slice(1));
      for (const e of entries.slice(1)) await orders.forgetExpiredHold(e);
      await expect(orders.listExpiredHolds(by, 10)).resolves.toEqual([]);
    });
  });
});
