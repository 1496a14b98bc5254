import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  ConstantBackoff,
  circuitBreaker,
  handleWhen,
  IPolicy,
  retry,
  wrap,
} from 'cockatiel';
import type { Counter, Gauge } from 'prom-client';
import { Agent, request } from 'undici';
import { LOGGER, Logger } from '../../common/logging/logger';
import { APP_CONFIG, AppConfig } from '../../config';
import { INVENTORY_CIRCUIT_STATE, INVENTORY_REQUESTS_TOTAL } from '../../metrics/metric-names';
import { parsePrice } from '../valuation';
import { InventoryCallError } from './inventory.errors';
import { PriceQuote, PriceSource } from './price-source';

/** A price stays usable this long after the inventory service gave it. */
export const PRICE_CACHE_TTL_MS = 5_000;
const CACHE_MAX_ENTRIES = 10_000;
const MAX_BODY_BYTES = 64 * 1024;
/** Consecutive failed calls that open the circuit, and how long it stays open. */
export const BREAKER_THRESHOLD = 5;
export const BREAKER_HALF_OPEN_AFTER_MS = 10_000;

const STATE_GAUGE: Record<CircuitState, number> = {
  [CircuitState.Closed]: 0,
  [CircuitState.HalfOpen]: 1,
  [CircuitState.Open]: 2,
  [CircuitState.Isolated]: 2,
};

const REFUSED = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && REFUSED.has(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Prices from the inventory service (`GET {INVENTORY_SERVICE_URL}/inventory/assets/{id}`, field
 * `price_usd`) over undici with keep-alive. One deadline per asset (`INVENTORY_TIMEOUT_MS`) covers
 * the call and its single retry (only after a refused connection or a 5xx, never after a timeout);
 * a cockatiel circuit breaker stops calling after consecutive failures; answers are cached a few
 * seconds and concurrent requests for one asset share one call. Never throws: an asset without a
 * usable price is null.
 */
@Injectable()
export class InventoryClient extends PriceSource implements OnModuleDestroy {
  private readonly baseUrl?: string;
  private readonly timeoutMs: number;
  private readonly agent = new Agent({ keepAliveTimeout: 10_000, connections: 64 });
  private readonly policy: IPolicy;
  private readonly cache = new Map<string, { quote: PriceQuote | null; until: number }>();
  private readonly inFlight = new Map<string, Promise<PriceQuote | null>>();

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @InjectMetric(INVENTORY_REQUESTS_TOTAL) private readonly requests: Counter<string>,
    @InjectMetric(INVENTORY_CIRCUIT_STATE) private readonly circuitState: Gauge<string>,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    super();
    this.baseUrl = config.inventory.url;
    this.timeoutMs = config.inventory.timeoutMs;
    const breaker = circuitBreaker(
      handleWhen((err) => err instanceof InventoryCallError),
      {
        halfOpenAfter: BREAKER_HALF_OPEN_AFTER_MS,
        breaker: new ConsecutiveBreaker(BREAKER_THRESHOLD),
      },
    );
    breaker.onStateChange((state) => {
      this.circuitState.set(STATE_GAUGE[state]);
      this.logger.warn({ state: CircuitState[state] }, 'inventory circuit breaker state changed');
    });
    this.circuitState.set(0);
    const retryOnce = retry(
      handleWhen((err) => err instanceof InventoryCallError && err.retryable),
      { maxAttempts: 1, backoff: new ConstantBackoff(25) },
    );
    this.policy = wrap(retryOnce, breaker);
  }

  async onModuleDestroy(): Promise<void> {
    await this.agent.close();
  }

  async getPrices(assetIds: readonly string[]): Promise<Map<string, PriceQuote | null>> {
    const unique = [...new Set(assetIds)];
    const quotes = await Promise.all(unique.map((id) => this.price(id)));
    return new Map(unique.map((id, i) => [id, quotes[i]]));
  }

  private price(assetId: string): Promise<PriceQuote | null> {
    if (!this.baseUrl) return Promise.resolve(null);
    const cached = this.cache.get(assetId);
    if (cached && cached.until > Date.now()) return Promise.resolve(cached.quote);
    const pending = this.inFlight.get(assetId);
    if (pending) return pending;
    const call = this.fetchPrice(this.baseUrl, assetId).finally(() =>
      this.inFlight.delete(assetId),
    );
    this.inFlight.set(assetId, call);
    return call;
  }

  private async fetchPrice(baseUrl: string, assetId: string): Promise<PriceQuote | null> {
    const deadline = AbortSignal.timeout(this.timeoutMs);
    try {
      const quote = await this.policy.execute(
        () => this.call(baseUrl, assetId, deadline),
        deadline,
      );
      this.remember(assetId, quote);
      return quote;
    } catch (err) {
      if (err instanceof BrokenCircuitError) this.requests.inc({ result: 'circuit_open' });
      else if (!(err instanceof InventoryCallError)) this.requests.inc({ result: 'error' });
      return null;
    }
  }

  /** One HTTP call; a 404 is an answer (no such asset: null), every other failure throws. */
  private async call(
    baseUrl: string,
    assetId: string,
    deadline: AbortSignal,
  ): Promise<PriceQuote | null> {
    const url = `${baseUrl}/inventory/assets/${encodeURIComponent(assetId)}`;
    try {
      const response = await request(url, {
        method: 'GET',
        headers: { accept: 'application/json' },
        dispatcher: this.agent,
        signal: deadline,
      });
      const { statusCode } = response;
      const text = await this.readBody(response.body);
      if (statusCode === 404) {
        this.requests.inc({ result: 'not_found' });
        return null;
      }
      if (statusCode >= 500) throw new InventoryCallError('server_error', `status ${statusCode}`);
      if (statusCode !== 200) throw new InventoryCallError('bad_response', `status ${statusCode}`);
      const priceUnits = parsePrice(
        (JSON.parse(text) as { price_usd?: unknown } | null)?.price_usd,
      );
      if (priceUnits === null) throw new InventoryCallError('bad_response', 'no usable price_usd');
      this.requests.inc({ result: 'success' });
      return { priceUnits, pricedAt: new Date().toISOString() };
    } catch (err) {
      const failure = this.classify(err, deadline);
      this.requests.inc({ result: failure.result });
      throw failure;
    }
  }

  private classify(err: unknown, deadline: AbortSignal): InventoryCallError {
    if (err instanceof InventoryCallError) return err;
    if (deadline.aborted) return new InventoryCallError('timeout', 'inventory call timed out');
    if (err instanceof SyntaxError) return new InventoryCallError('bad_response', 'not JSON');
    if (errorCode(err)) return new InventoryCallError('refused', errorCode(err) ?? 'refused');
    return new InventoryCallError('error', err instanceof Error ? err.name : 'unknown error');
  }

  private async readBody(body: AsyncIterable<Buffer> & { destroy(): unknown }): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of body) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        body.destroy();
        throw new InventoryCallError('bad_response', 'body too large');
      }
      chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  private remember(assetId: string, quote: PriceQuote | null): void {
    if (this.cache.size >= CACHE_MAX_ENTRIES) this.cache.clear();
    this.cache.set(assetId, { quote, until: Date.now() + PRICE_CACHE_TTL_MS });
  }
}
