import { Injectable } from '@nestjs/common';
import { CURRENCY, formatCents, formatQuantity } from '../common/money';
import { NotFoundError } from '../common/errors';
import { BalanceNotFoundError } from '../balance/domain/balance.errors';
import { availableCents } from '../balance/domain/ledger';
import { BalanceRepository } from '../balance/persistence/balance.repository';
import { OrderLedgerRepository } from '../balance/persistence/order-ledger.repository';
import type { HoldingResponse, PortfolioResponse } from './dto/portfolio.responses';
import { PriceSource } from './inventory/price-source';
import { formatBasisPoints, marketValueCents, priceCents, sharesBasisPoints } from './valuation';

/**
 * Cents as "12.34" straight from the bigint: a value (quantity × a price up to 1e12 USD) may be far
 * beyond Number.MAX_SAFE_INTEGER, where formatCents(Number(value)) would throw (a 500).
 */
function cents(value: bigint): string {
  const digits = (value < 0n ? -value : value).toString().padStart(3, '0');
  const text = `${digits.slice(0, -2)}.${digits.slice(-2)}`;
  return value < 0n ? `-${text}` : text;
}

/** The user's cash and holdings, valued with the inventory service's prices (SPEC §4 Portfolio). */
@Injectable()
export class PortfolioService {
  constructor(
    private readonly balances: BalanceRepository,
    private readonly orders: OrderLedgerRepository,
    private readonly prices: PriceSource,
  ) {}

  async portfolio(userId: string): Promise<PortfolioResponse> {
    const [balance, holdings] = await Promise.all([
      this.balances.getBalance(userId),
      this.orders.listHoldings(userId),
    ]);
    if (!balance) throw new BalanceNotFoundError();
    holdings.sort((a, b) => (a.assetId < b.assetId ? -1 : a.assetId > b.assetId ? 1 : 0));
    const quotes = await this.prices.getPrices(holdings.map((h) => h.assetId));
    const valued = holdings.map((h) => {
      const quote = quotes.get(h.assetId) ?? null;
      return {
        holding: h,
        quote,
        value: quote && marketValueCents(h.quantityUnits, quote.priceUnits),
      };
    });
    const priced = valued.filter((v) => v.value !== null);
    const cash = BigInt(balance.currentCents);
    const assetTotal = priced.reduce((sum, v) => sum + (v.value ?? 0n), 0n);
    const shares = sharesBasisPoints([cash, ...priced.map((v) => v.value ?? 0n)]);
    const shareOf = new Map(priced.map((v, i) => [v.holding.assetId, shares[i + 1]]));
    const pricedAt = priced
      .map((v) => v.quote?.pricedAt ?? '')
      .sort()
      .at(0);
    return {
      user_id: userId,
      currency: CURRENCY,
      cash_balance: formatCents(balance.currentCents),
      available_balance: formatCents(availableCents(balance)),
      held_balance: formatCents(balance.heldCents),
      cash_percentage: formatBasisPoints(shares[0]),
      assets: valued.map(({ holding, quote, value }) => {
        const share = shareOf.get(holding.assetId);
        return {
          asset_id: holding.assetId,
          quantity: formatQuantity(holding.quantityUnits),
          current_price: quote ? cents(priceCents(quote.priceUnits)) : null,
          market_value: value === null ? null : cents(value),
          percentage: share === undefined ? null : formatBasisPoints(share),
        };
      }),
      total_asset_value: cents(assetTotal),
      total_value: cents(cash + assetTotal),
      pricing_status:
        priced.length === valued.length ? 'ok' : priced.length === 0 ? 'unavailable' : 'partial',
      priced_at: pricedAt ?? null,
    };
  }

  /** One holding of the caller; 404 when the asset is not held (never held, or all sold). */
  async holding(userId: string, assetId: string): Promise<HoldingResponse> {
    const holding = await this.orders.getHolding(userId, assetId);
    if (!holding || holding.quantityUnits <= 0) {
      throw new NotFoundError('The user does not hold this asset.');
    }
    return {
      user_id: userId,
      asset_id: assetId,
      quantity: formatQuantity(holding.quantityUnits),
      updated_at: holding.updatedAt,
    };
  }
}
