import type { Balance } from '../balance/domain/ledger';
import type { BalanceRepository } from '../balance/persistence/balance.repository';
import type {
  Holding,
  OrderLedgerRepository,
} from '../balance/persistence/order-ledger.repository';
import { MAX_HOLDING_UNITS } from '../common/money';
import { PriceQuote, PriceSource } from './inventory/price-source';
import { PortfolioService } from './portfolio.service';
import { parsePrice } from './valuation';

/** Review: a price the client accepts (≤ 1e12 USD) times a holding the ledger allows. */
describe('PortfolioService valuation of large (but accepted) prices and holdings', () => {
  const userId = '6f1c1c1e-0000-4000-8000-000000000001';
  const balance: Balance = {
    userId,
    currentCents: 1_000,
    heldCents: 0,
    version: 3,
    updatedAt: '2026-01-01T00:00:00.000Z',
  };

  function serviceWith(quantityUnits: number, price: unknown): PortfolioService {
    const holding: Holding = {
      userId,
      assetId: 'BTC',
      quantityUnits,
      updatedAt: balance.updatedAt,
    };
    const balances = { getBalance: () => Promise.resolve(balance) } as unknown as BalanceRepository;
    const orders = {
      listHoldings: () => Promise.resolve([holding]),
    } as unknown as OrderLedgerRepository;
    const priceUnits = parsePrice(price);
    expect(priceUnits).not.toBeNull(); // the inventory client accepts this price
    const prices = new (class extends PriceSource {
      getPrices(ids: readonly string[]): Promise<Map<string, PriceQuote | null>> {
        return Promise.resolve(
          new Map(
            ids.map((id) => [
              id,
              { priceUnits: priceUnits as bigint, pricedAt: '2026-01-01T00:00:00.000Z' },
            ]),
          ),
        );
      }
    })();
    return new PortfolioService(balances, orders, prices);
  }

  it('values 100 units at the largest accepted price (1e12 USD) exactly, no RangeError (a 500)', async () => {
    const res = await serviceWith(100 * 100_000_000, 1e12).portfolio(userId);
    expect(res.assets[0].market_value).toBe('100000000000000.00');
    expect(res.total_asset_value).toBe('100000000000000.00');
    expect(res.total_value).toBe('100000000000010.00');
    expect(res.pricing_status).toBe('ok');
  });

  it('values the largest holding at the largest price exactly', async () => {
    const res = await serviceWith(MAX_HOLDING_UNITS, '1000000000000').portfolio(userId);
    expect(res.assets[0].market_value).toBe('90000000000000000000.00');
    expect(res.total_value).toBe('90000000000000000010.00');
  });
});
