/** Load scenarios (autocannon, in the runner's process) and what one measured window reports. */
import autocannon from 'autocannon';
import type { BaselineMode } from './baselines';
import { CallCounts, CallsPerRequest, callsPerRequest } from './counters';
import { CpuWindow, RssSampler } from './processes';

export const PASSWORD = 'bench passphrase for every seeded user';

/** A server under load with the users seeded for it. */
export interface Target {
  readonly name: 'service' | BaselineMode;
  readonly baseUrl: string;
  readonly pid: number;
  readonly usernames: readonly string[];
  readonly accessTokens: readonly string[];
  /** DynamoDB calls the server has made so far, by operation. */
  readCalls(): Promise<CallCounts>;
}

export interface Scenario {
  readonly id: 'health' | 'balance' | 'balance-c1' | 'deposit' | 'login';
  /** What each request is (the 1-connection latency scenario sends GET balance requests too). */
  readonly request: 'health' | 'balance' | 'deposit' | 'login';
  readonly title: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly connections: number;
  readonly durationS: number;
  /** Non-2xx statuses the scenario documents as acceptable (a deposit's 503 after retries). */
  readonly tolerated: readonly number[];
}

export const SCENARIOS: readonly Scenario[] = [
  {
    id: 'health',
    request: 'health',
    title: 'GET /health',
    method: 'GET',
    path: '/health',
    connections: 64,
    durationS: 8,
    tolerated: [],
  },
  {
    id: 'balance',
    request: 'balance',
    title: 'GET /users/me/balance',
    method: 'GET',
    path: '/users/me/balance',
    connections: 64,
    durationS: 10,
    tolerated: [],
  },
  {
    id: 'balance-c1',
    request: 'balance',
    title: 'GET /users/me/balance',
    method: 'GET',
    path: '/users/me/balance',
    connections: 1,
    durationS: 10,
    tolerated: [],
  },
  {
    id: 'deposit',
    request: 'deposit',
    title: 'POST /users/me/balance/deposit',
    method: 'POST',
    path: '/users/me/balance/deposit',
    connections: 64,
    durationS: 10,
    tolerated: [503],
  },
  {
    id: 'login',
    request: 'login',
    title: 'POST /auth/login',
    method: 'POST',
    path: '/auth/login',
    connections: 16,
    durationS: 10,
    tolerated: [],
  },
];

const JSON_HEADERS = { 'content-type': 'application/json' };
/** Where each target's rotation over its users stands, so slices continue it. */
const cursors = new WeakMap<Target, { next: number }>();
const DEPOSIT_BODY = JSON.stringify({ amount: '1.00' });

/**
 * autocannon options for one scenario against one target: every request goes to the next user in
 * turn (its access token, or its credentials for a login), so load spreads over all seeded users.
 */
export function loadOptions(
  target: Target,
  scenario: Scenario,
  durationS: number,
  connections = scenario.connections,
): autocannon.Options {
  const cursor = cursors.get(target) ?? { next: 0 };
  cursors.set(target, cursor);
  const users = target.usernames.length;
  // autocannon takes the path from the URL (its `path` option applies to `requests` entries only).
  const base = {
    url: `${target.baseUrl}${scenario.path}`,
    method: scenario.method,
    connections,
    duration: durationS,
    timeout: 10,
  };
  switch (scenario.request) {
    case 'health':
      return base;
    case 'balance':
    case 'deposit':
      return {
        ...base,
        headers: scenario.request === 'deposit' ? JSON_HEADERS : {},
        body: scenario.request === 'deposit' ? DEPOSIT_BODY : undefined,
        requests: [
          {
            setupRequest: (request) => ({
              ...request,
              headers: {
                ...request.headers,
                authorization: `Bearer ${target.accessTokens[cursor.next++ % users]}`,
              },
            }),
          },
        ],
      };
    case 'login':
      return {
        ...base,
        headers: JSON_HEADERS,
        requests: [
          {
            setupRequest: (request) => ({
              ...request,
              body: JSON.stringify({
                username: target.usernames[cursor.next++ % users],
                password: PASSWORD,
              }),
            }),
          },
        ],
      };
  }
}

/** One measured slice of one side. */
export interface Slice {
  readonly target: Target['name'];
  readonly durationS: number;
  readonly reqPerSec: number;
  readonly latencyP99Ms: number;
  readonly otherCores: number;
}

export interface Measurement {
  /** Measured seconds (all of this side's slices). */
  readonly durationS: number;
  readonly slices: number;
  readonly requests: number;
  /** 2xx responses per second over the measured slices. */
  readonly reqPerSec: number;
  /** Mean time per request on a connection: connections ÷ request rate (closed loop, exact). */
  readonly latencyMeanMs: number;
  /** Percentiles over every response of every slice (autocannon's histograms merged). */
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly non2xx: number;
  /** Connection errors and timeouts (no response at all). */
  readonly socketErrors: number;
  /** Non-2xx other than the scenario's tolerated statuses, plus socket errors. */
  readonly errors: number;
  readonly statusCodes: Record<string, number>;
  /** Peak RSS of the server process over the whole scenario (warm-up included). */
  readonly peakRssMb: number;
  /** CPU time of the server process per 2xx response. */
  readonly cpuMsPerRequest: number;
  /** Cores the server process used on average (1.0 = one core busy). */
  readonly cpuCores: number;
  /** Cores the load generator (this process, autocannon) used on average. */
  readonly loadGeneratorCores: number;
  /** Cores DynamoDB Local used on average. */
  readonly dynamoDbCores: number;
  /** Cores kept busy by processes outside the run, on average over this side's slices. */
  readonly otherCores: number;
  /** DynamoDB calls per request the server made, counted server-side over the whole scenario. */
  readonly dynamoDbCalls: CallsPerRequest;
}

export interface ScenarioRun {
  readonly sides: Partial<Record<Target['name'], Measurement>>;
  /** In the order they ran (A B C C B A…). */
  readonly slices: readonly Slice[];
  /** How many targets ran: every consecutive group of this many slices has one of each. */
  readonly targets: number;
}

/**
 * The order of the measured slices: each round runs every target once, then again in reverse
 * (A B C C B A; A B B A with two), so a load elsewhere that comes and goes falls on all alike.
 */
export function sliceOrder<T>(order: readonly T[], rounds: number): T[] {
  const round = [...order, ...[...order].reverse()];
  return Array.from({ length: rounds }, () => round).flat();
}

/** Processes whose CPU a measurement accounts for, besides the servers. */
export interface Accounting {
  readonly dynamoDbPid: number;
}

/** Runs load without measuring (warm-up); the results say how many requests were sent. */
export function warmUp(
  runs: { target: Target; scenario: Scenario; connections?: number }[],
  durationS: number,
): Promise<autocannon.Result[]> {
  return Promise.all(
    runs.map(({ target, scenario, connections }) =>
      autocannon(loadOptions(target, scenario, durationS, connections)),
    ),
  );
}

interface SideTotals {
  raw: autocannon.RawResult[];
  /** Requests written to the server, warm-up included (those abandoned at a slice's end too). */
  sent: number;
  durationS: number;
  cpuMs: Map<number, number>;
  otherCoreSeconds: number;
  maxLatencyMs: number;
}

/**
 * One scenario on every server: a short warm-up of all at once, then `rounds × durationS` seconds
 * per server in slices of `durationS / 2`, in the balanced order of `sliceOrder`. Peak RSS is
 * sampled throughout; DynamoDB calls per request are the servers' own counts (read before the
 * warm-up and once the last requests have finished) over the requests autocannon sent.
 */
export async function runScenario(
  order: readonly Target[],
  scenario: Scenario,
  options: { warmUpS: number; rounds: number; accounting: Accounting },
): Promise<ScenarioRun> {
  const callsBefore = await Promise.all(order.map((t) => t.readCalls()));
  const sampler = new RssSampler(order.map((t) => t.pid)).start();
  const warm = await warmUp(
    order.map((target) => ({ target, scenario })),
    options.warmUpS,
  );

  const totals = new Map<Target, SideTotals>(
    order.map((t, i) => [
      t,
      {
        raw: [],
        sent: warm[i].requests.sent,
        durationS: 0,
        cpuMs: new Map(),
        otherCoreSeconds: 0,
        maxLatencyMs: 0,
      },
    ]),
  );
  const pids = [...order.map((t) => t.pid), process.pid, options.accounting.dynamoDbPid];
  const sliceS = scenario.durationS / 2;
  const slices: Slice[] = [];
  for (const target of sliceOrder(order, options.rounds)) {
    const window = new CpuWindow(pids);
    const raw = await autocannon({
      ...loadOptions(target, scenario, sliceS),
      skipAggregateResult: true,
    });
    const { perPid, otherCores } = window.stop();
    const side = totals.get(target)!;
    side.raw.push(raw);
    side.sent += raw.totalRequests;
    side.durationS += raw.duration;
    side.otherCoreSeconds += otherCores * raw.duration;
    for (const [pid, ms] of perPid) side.cpuMs.set(pid, (side.cpuMs.get(pid) ?? 0) + ms);
    const merged = aggregate([raw], target, scenario);
    side.maxLatencyMs = Math.max(side.maxLatencyMs, merged.latency.max);
    slices.push({
      target: target.name,
      durationS: raw.duration,
      reqPerSec: raw['2xx'] / raw.duration,
      latencyP99Ms: merged.latency.p99,
      otherCores,
    });
  }
  const peaks = sampler.stop();

  // Requests autocannon abandoned at the end of a slice still finish on the server.
  const settleMs = Math.min(
    10_000,
    Math.max(...[...totals.values()].map((t) => t.maxLatencyMs)) + 500,
  );
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  const callsAfter = await Promise.all(order.map((t) => t.readCalls()));

  const measurement = (target: Target, index: number): Measurement => {
    const side = totals.get(target)!;
    const merged = aggregate(side.raw, target, scenario);
    const statusCodes = Object.fromEntries(
      Object.entries(merged.statusCodeStats).map(([code, { count }]) => [code, count]),
    );
    const tolerated = scenario.tolerated.reduce((n, code) => n + (statusCodes[code] ?? 0), 0);
    const ok = side.raw.reduce((n, r) => n + r['2xx'], 0);
    const non2xx = side.raw.reduce((n, r) => n + r.non2xx, 0);
    const socketErrors = side.raw.reduce((n, r) => n + r.errors, 0);
    const cores = (pid: number) => (side.cpuMs.get(pid) ?? 0) / 1000 / side.durationS;
    return {
      durationS: side.durationS,
      slices: side.raw.length,
      requests: ok + non2xx,
      reqPerSec: ok / side.durationS,
      // Little's law over closed-loop connections: the time each request took end to end, exact,
      // where autocannon's histogram records whole milliseconds (0 or 1 ms at one connection).
      latencyMeanMs:
        ok + non2xx > 0 ? (side.durationS * 1000 * scenario.connections) / (ok + non2xx) : 0,
      latencyP50Ms: merged.latency.p50,
      latencyP99Ms: merged.latency.p99,
      non2xx,
      socketErrors,
      errors: non2xx - tolerated + socketErrors,
      statusCodes,
      peakRssMb: (peaks.get(target.pid) ?? 0) / 2 ** 20,
      cpuMsPerRequest: ok > 0 ? (side.cpuMs.get(target.pid) ?? 0) / ok : 0,
      cpuCores: cores(target.pid),
      loadGeneratorCores: cores(process.pid),
      dynamoDbCores: cores(options.accounting.dynamoDbPid),
      otherCores: side.otherCoreSeconds / side.durationS,
      dynamoDbCalls: callsPerRequest(callsBefore[index], callsAfter[index], side.sent),
    };
  };
  const sides = Object.fromEntries(order.map((t, i) => [t.name, measurement(t, i)]));
  return { sides, slices, targets: order.length };
}

/** autocannon's own merge of raw results (latency histograms added, not percentiles averaged). */
function aggregate(
  raw: autocannon.RawResult[],
  target: Target,
  scenario: Scenario,
): autocannon.Result {
  return autocannon.aggregateResult(raw, {
    url: `${target.baseUrl}${scenario.path}`,
    connections: scenario.connections,
  });
}
