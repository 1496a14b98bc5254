/** A price of one asset as the inventory service gave it, in units of 1e-8 USD. */
export interface PriceQuote {
  readonly priceUnits: bigint;
  /** When the inventory service answered (cached quotes keep their first time). */
  readonly pricedAt: string;
}

/** Port: current prices of assets; null for an asset whose price cannot be had right now. */
export abstract class PriceSource {
  abstract getPrices(assetIds: readonly string[]): Promise<Map<string, PriceQuote | null>>;
}
