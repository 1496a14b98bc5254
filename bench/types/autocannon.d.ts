/** The part of autocannon's programmatic API the benchmark uses (the package ships no types). */
declare module 'autocannon' {
  namespace autocannon {
    interface RequestParams {
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string | Buffer;
    }

    interface Request extends RequestParams {
      setupRequest?: (request: RequestParams, context: Record<string, unknown>) => RequestParams;
    }

    interface Options extends RequestParams {
      url: string;
      connections?: number;
      duration?: number;
      timeout?: number;
      requests?: Request[];
      /** Resolve to a RawResult, to be merged with others by `aggregateResult`. */
      skipAggregateResult?: boolean;
    }

    /** A run's result before aggregation (histograms still encoded). */
    interface RawResult {
      duration: number;
      /** Requests written, including those still unanswered when the run stopped. */
      totalRequests: number;
      errors: number;
      timeouts: number;
      non2xx: number;
      '2xx': number;
    }

    interface Histogram {
      average: number;
      mean: number;
      stddev: number;
      min: number;
      max: number;
      total: number;
      p50: number;
      p90: number;
      p97_5: number;
      p99: number;
    }

    interface Result {
      duration: number;
      errors: number;
      timeouts: number;
      non2xx: number;
      '2xx': number;
      statusCodeStats: Record<string, { count: number }>;
      latency: Histogram;
      requests: Histogram & { sent: number };
    }

    interface Instance extends PromiseLike<Result> {
      stop(): void;
    }
  }

  function autocannon(
    options: autocannon.Options & { skipAggregateResult: true },
  ): PromiseLike<autocannon.RawResult>;
  function autocannon(options: autocannon.Options): autocannon.Instance;

  namespace autocannon {
    function aggregateResult(
      results: RawResult[],
      options: { url: string; connections?: number },
    ): Result;
  }

  export = autocannon;
}
