import { ulid } from 'ulid';
import { loadConfig } from '../config';
import { BalanceService } from './balance.service';
import { BalanceNotFoundError } from './domain/balance.errors';
import type { LedgerTransaction } from './domain/ledger';
import { InMemoryBalanceRepository } from './persistence/in-memory-balance.repository';

const USER = 'user-1';

function setup(count: number) {
  const repository = new InMemoryBalanceRepository();
  repository.seed(USER, 0);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = ulid(1_700_000_000_000 + i);
    ids.push(id);
    const tx: LedgerTransaction = {
      transactionId: id,
      userId: USER,
      type: i % 3 === 0 ? 'withdraw' : 'deposit',
      amountCents: i % 3 === 0 ? -100 : 100,
      status: 'completed',
      description: null,
      referenceId: null,
      balanceAfterCents: 0,
      createdAt: new Date(1_700_000_000_000 + i).toISOString(),
      updatedAt: new Date(1_700_000_000_000 + i).toISOString(),
    };
    repository.addTransaction(tx);
  }
  const config = loadConfig({
    NODE_ENV: 'test',
    DYNAMODB_ENDPOINT: 'http://127.0.0.1:1',
    JWT_SECRET_KEY: 'unit-test-secret-0123456789abcdef',
  });
  return { service: new BalanceService(repository, config), ids: ids.reverse(), repository };
}

describe('BalanceService.getBalance', () => {
  it('answers the read the guard already started, without reading again', async () => {
    const { service, repository } = setup(0);
    const read = jest.spyOn(repository, 'getBalance');
    const started = Promise.resolve({
      userId: USER,
      currentCents: 1234,
      heldCents: 34,
      version: 7,
      updatedAt: '2025-01-01T00:00:00.000Z',
    });
    await expect(service.getBalance(USER, started)).resolves.toMatchObject({
      current_balance: '12.34',
      available_balance: '12.00',
    });
    expect(read).not.toHaveBeenCalled();
  });

  it('reads the balance itself when no read was started, and 404s a user without one', async () => {
    const { service, repository } = setup(0);
    repository.seed(USER, 500);
    await expect(service.getBalance(USER)).resolves.toMatchObject({ current_balance: '5.00' });
    await expect(service.getBalance('nobody')).rejects.toBeInstanceOf(BalanceNotFoundError);
  });
});

describe('BalanceService.listTransactions', () => {
  it('pages newest first with a cursor, without duplicates or gaps', async () => {
    const { service, ids } = setup(23);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await service.listTransactions(USER, { limit: 5, cursor });
      expect(page.count).toBe(page.transactions.length);
      expect(page.total_count).toBe(page.count);
      seen.push(...page.transactions.map((t) => t.transaction_id));
      cursor = page.next_cursor ?? undefined;
      expect(page.has_more).toBe(Boolean(page.next_cursor));
      pages++;
    } while (cursor);
    expect(pages).toBe(5);
    expect(seen).toEqual(ids);
  });

  it('defaults to 50 and says when there is no more', async () => {
    const { service } = setup(51);
    const first = await service.listTransactions(USER, {});
    expect(first.count).toBe(50);
    expect(first.has_more).toBe(true);
    const second = await service.listTransactions(USER, { cursor: first.next_cursor! });
    expect(second.count).toBe(1);
    expect(second).toMatchObject({ has_more: false, next_cursor: null });
  });

  it('filters by type and status', async () => {
    const { service } = setup(9);
    const withdrawals = await service.listTransactions(USER, { type: 'withdraw' });
    expect(withdrawals.count).toBe(3);
    expect(withdrawals.transactions.every((t) => t.amount === '-1.00')).toBe(true);
    expect((await service.listTransactions(USER, { status: 'pending' })).count).toBe(0);
  });

  it("honours old clients' offset when no cursor is given", async () => {
    const { service, ids } = setup(10);
    const page = await service.listTransactions(USER, { limit: 3, offset: 4 });
    expect(page.transactions.map((t) => t.transaction_id)).toEqual(ids.slice(4, 7));
  });

  it("rejects another user's cursor with 422 naming cursor", async () => {
    const { service, repository } = setup(10);
    repository.seed('user-2');
    const page = await service.listTransactions(USER, { limit: 3 });
    await expect(
      service.listTransactions('user-2', { cursor: page.next_cursor! }),
    ).rejects.toMatchObject({
      status: 422,
      code: 'validation_failed',
      errors: [{ field: 'cursor' }],
    });
  });

  it('presents amounts as signed two-place decimal strings', async () => {
    const { service } = setup(2);
    const page = await service.listTransactions(USER, {});
    expect(page.transactions.map((t) => t.amount)).toEqual(['1.00', '-1.00']);
  });
});
