/** Ratios against the baselines, issue #10's targets, warnings, and the Markdown table. */
import * as os from 'node:os';
import type { BaselineMode } from './baselines';
import type { Measurement, Scenario, ScenarioRun, Slice, Target } from './load';

/** Issue #10's targets for the service, as ratios to the minimal baseline (and absolute limits). */
interface ScenarioTargets {
  /** Service req/s ÷ minimal req/s, at least. */
  readonly throughput?: number;
  /** Service p99 ÷ minimal p99, at most. */
  readonly p99?: number;
  /** Service mean latency ÷ minimal mean latency, at most. */
  readonly meanLatency?: number;
  /** DynamoDB calls per request of the service, at most (plus CALLS_SLACK). */
  readonly calls?: number;
}

export const TARGETS: Record<Scenario['id'], ScenarioTargets> = {
  health: { throughput: 0.5 },
  balance: { throughput: 0.8, p99: 1.5, calls: 1 },
  'balance-c1': { meanLatency: 1.25, calls: 1 },
  deposit: { throughput: 0.8, p99: 1.5, calls: 2 },
  login: { throughput: 0.9 },
};
/** Peak RSS of the service in every scenario, at most. */
export const SERVICE_RSS_LIMIT_MB = 200;
/** A deposit's version conflicts add a re-read and a re-write now and then: this much is allowed. */
const CALLS_SLACK = 0.05;

/** DynamoDB calls per request the minimal baseline makes by design (conflict retries aside). */
const MINIMAL_CALLS: Record<Scenario['request'], number> = {
  health: 0,
  balance: 1,
  deposit: 2,
  login: 5,
};

/** Foreign CPU load (cores) in a window above which its figures are flagged. */
export const OTHER_LOAD_WARNING_CORES = 0.25;
/** A difference in DynamoDB calls per request above this is more than retries and window edges. */
const CALLS_DIFFERENCE_WARNING = 0.1;

export interface Ratios {
  /** Service req/s ÷ baseline req/s (2xx per second). */
  readonly throughput: number;
  /** Service ÷ baseline, lower is better. */
  readonly p99: number;
  readonly meanLatency: number;
  /** Throughput ratio within each pass over all servers (A B C, then C B A): its spread shows the noise. */
  readonly pairs: readonly number[];
}

export interface TargetCheck {
  readonly what: 'throughput' | 'p99' | 'mean latency' | 'DynamoDB calls' | 'peak RSS' | '5xx';
  readonly value: number;
  /** E.g. "≥ 0.80" (ratios to the minimal baseline), "≤ 200 MB", "= 0". */
  readonly target: string;
  readonly met: boolean;
}

export interface ScenarioResult {
  readonly id: Scenario['id'];
  readonly title: string;
  readonly connections: number;
  /** Measured seconds per server. */
  readonly measuredS: number;
  readonly service: Measurement;
  readonly minimal: Measurement;
  readonly sameCalls?: Measurement;
  readonly vsMinimal: Ratios;
  readonly vsSameCalls?: Ratios;
  readonly targets: readonly TargetCheck[];
  readonly slices: readonly Slice[];
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);

function ratios(run: ScenarioRun, baseline: BaselineMode): Ratios {
  const service = run.sides.service!;
  const base = run.sides[baseline]!;
  const pairs: number[] = [];
  for (let i = 0; i < run.slices.length; i += run.targets) {
    const pass = run.slices.slice(i, i + run.targets);
    const svc = pass.find((s) => s.target === 'service');
    const other = pass.find((s) => s.target === baseline);
    if (svc && other && other.reqPerSec > 0) pairs.push(svc.reqPerSec / other.reqPerSec);
  }
  return {
    throughput: ratio(service.reqPerSec, base.reqPerSec),
    p99: ratio(service.latencyP99Ms, base.latencyP99Ms),
    meanLatency: ratio(service.latencyMeanMs, base.latencyMeanMs),
    pairs,
  };
}

/** Responses with a 5xx status, and how many of them were 503. */
function serverErrors(m: Measurement): { all: number; unavailable: number } {
  const all = Object.entries(m.statusCodes)
    .filter(([code]) => Number(code) >= 500)
    .reduce((n, [, count]) => n + count, 0);
  return { all, unavailable: m.statusCodes['503'] ?? 0 };
}

function targetChecks(scenario: Scenario, service: Measurement, vs: Ratios): TargetCheck[] {
  const t = TARGETS[scenario.id];
  const checks: TargetCheck[] = [];
  if (t.throughput !== undefined) {
    checks.push({
      what: 'throughput',
      value: vs.throughput,
      target: `≥ ${f2(t.throughput)}`,
      met: vs.throughput >= t.throughput,
    });
  }
  if (t.p99 !== undefined) {
    checks.push({ what: 'p99', value: vs.p99, target: `≤ ${f2(t.p99)}`, met: vs.p99 <= t.p99 });
  }
  if (t.meanLatency !== undefined) {
    checks.push({
      what: 'mean latency',
      value: vs.meanLatency,
      target: `≤ ${f2(t.meanLatency)}`,
      met: vs.meanLatency > 0 && vs.meanLatency <= t.meanLatency,
    });
  }
  if (t.calls !== undefined) {
    const calls = service.dynamoDbCalls.total;
    checks.push({
      what: 'DynamoDB calls',
      value: calls,
      target: `≤ ${f2(t.calls + CALLS_SLACK)}`,
      met: calls <= t.calls + CALLS_SLACK,
    });
  }
  checks.push({
    what: 'peak RSS',
    value: service.peakRssMb,
    target: `≤ ${SERVICE_RSS_LIMIT_MB} MB`,
    met: service.peakRssMb <= SERVICE_RSS_LIMIT_MB,
  });
  const errors5xx = serverErrors(service).all;
  checks.push({
    what: '5xx',
    value: errors5xx,
    target: '= 0 (503 included)',
    met: errors5xx === 0,
  });
  return checks;
}

export function scenarioResult(scenario: Scenario, run: ScenarioRun): ScenarioResult {
  const service = run.sides.service!;
  const minimal = run.sides.minimal!;
  const sameCalls = run.sides['same-calls'];
  const vsMinimal = ratios(run, 'minimal');
  return {
    id: scenario.id,
    title: scenario.title,
    connections: scenario.connections,
    measuredS: service.durationS,
    service,
    minimal,
    ...(sameCalls ? { sameCalls, vsSameCalls: ratios(run, 'same-calls') } : {}),
    vsMinimal,
    targets: targetChecks(scenario, service, vsMinimal),
    slices: run.slices,
  };
}

const f0 = (n: number) => n.toFixed(0);
const f2 = (n: number) => n.toFixed(2);
const NONE = '–';

const SHORT: Record<TargetCheck['what'], string> = {
  throughput: 'req/s',
  p99: 'p99',
  'mean latency': 'latency',
  'DynamoDB calls': 'calls',
  'peak RSS': 'RSS',
  '5xx': '5xx',
};

function range(values: readonly number[]): string {
  return values.length > 0 ? `${f2(Math.min(...values))}–${f2(Math.max(...values))}` : NONE;
}

/** "svc / min / same" cells; the same-calls side is "–" when it did not run. */
function sides(r: ScenarioResult, cell: (m: Measurement) => string): string {
  return [r.service, r.minimal, r.sameCalls].map((m) => (m ? cell(m) : NONE)).join(' / ');
}

export function markdownTable(results: readonly ScenarioResult[]): string {
  const cores = os.availableParallelism();
  const header = [
    'Scenario',
    'Conns',
    'req/s (svc / min / same)',
    '**vs minimal** (pair range)',
    'vs same-calls',
    'p99 ms (svc / min)',
    'p99 ratio vs min',
    'Mean latency ratio vs min',
    'Errors (svc / min / same)',
    'CPU ms/req (svc / min / same)',
    'Peak RSS MB (svc / min / same)',
    'DynamoDB calls/req (svc / min / same)',
    'Load gen. CPU % (svc / min / same)',
    'Targets (issue #10)',
  ];
  const rows = results.map((r) => [
    `\`${r.title}\``,
    String(r.connections),
    sides(r, (m) => f0(m.reqPerSec)),
    `**${f2(r.vsMinimal.throughput)}** (${range(r.vsMinimal.pairs)})`,
    r.vsSameCalls ? `${f2(r.vsSameCalls.throughput)} (${range(r.vsSameCalls.pairs)})` : NONE,
    `${r.service.latencyP99Ms} / ${r.minimal.latencyP99Ms}`,
    f2(r.vsMinimal.p99),
    f2(r.vsMinimal.meanLatency),
    sides(r, (m) => String(m.errors)) +
      (serverErrors(r.service).unavailable > 0
        ? ` (svc 503: ${serverErrors(r.service).unavailable})`
        : ''),
    sides(r, (m) => f2(m.cpuMsPerRequest)),
    sides(r, (m) => f0(m.peakRssMb)),
    sides(r, (m) => f2(m.dynamoDbCalls.total)),
    sides(r, (m) => f0((100 * m.loadGeneratorCores) / cores)),
    r.targets.map((c) => `${SHORT[c.what]} ${c.met ? '✅' : '❌'}`).join(' '),
  ]);
  return [header, header.map(() => '---'), ...rows]
    .map((cells) => `| ${cells.join(' | ')} |`)
    .join('\n');
}

/** "12 of 20 targets met; missed: balance (64 conns) req/s 0.71 (≥ 0.80), …". */
export function targetSummary(results: readonly ScenarioResult[]): string {
  const all = results.flatMap((r) => r.targets.map((c) => ({ r, c })));
  const missed = all.filter(({ c }) => !c.met);
  const value = (c: TargetCheck) =>
    c.what === 'peak RSS' ? `${f0(c.value)} MB` : c.what === '5xx' ? f0(c.value) : f2(c.value);
  return (
    `${all.length - missed.length} of ${all.length} targets met` +
    (missed.length > 0
      ? `; missed: ${missed.map(({ r, c }) => `${label(r)} ${SHORT[c.what]} ${value(c)} (${c.target})`).join('; ')}`
      : '')
  );
}

const label = (r: ScenarioResult) =>
  `${r.title} (${r.connections} connection${r.connections === 1 ? '' : 's'})`;

const operations = (calls: Record<string, number>) =>
  Object.entries(calls)
    .map(([op, n]) => `${op} ${f2(n)}`)
    .join(', ') || 'none';

/** What makes a ratio doubtful without making it wrong: foreign CPU load, a baseline that drifted. */
export function warningsOf(
  results: readonly ScenarioResult[],
  requestOf: (id: Scenario['id']) => Scenario['request'],
): string[] {
  const warnings: string[] = [];
  for (const r of results) {
    const loaded = r.slices.filter((slice) => slice.otherCores > OTHER_LOAD_WARNING_CORES);
    if (loaded.length > 0) {
      const worst = Math.max(...loaded.map((slice) => slice.otherCores));
      warnings.push(
        `${label(r)}: processes outside the benchmark kept up to ${f2(worst)} cores busy ` +
          `(${loaded.length} of ${r.slices.length} slices); the ratios may be skewed`,
      );
    }
    const expected = MINIMAL_CALLS[requestOf(r.id)];
    if (Math.abs(r.minimal.dynamoDbCalls.total - expected) > CALLS_DIFFERENCE_WARNING) {
      warnings.push(
        `${label(r)}: the minimal baseline made ${f2(r.minimal.dynamoDbCalls.total)} DynamoDB calls per ` +
          `request, not ${expected}: ${operations(r.minimal.dynamoDbCalls.byOperation)}`,
      );
    }
    if (
      r.sameCalls &&
      Math.abs(r.service.dynamoDbCalls.total - r.sameCalls.dynamoDbCalls.total) >
        CALLS_DIFFERENCE_WARNING
    ) {
      warnings.push(
        `${label(r)}: the same-calls baseline no longer makes the service's DynamoDB calls ` +
          `(service ${operations(r.service.dynamoDbCalls.byOperation)}; same-calls ` +
          `${operations(r.sameCalls.dynamoDbCalls.byOperation)}): update it or read that column with care`,
      );
    }
  }
  return warnings;
}

/**
 * Why the figures cannot be trusted: unexpected non-2xx or no response, or nothing served at all.
 * A deposit's 503 stays tolerated here (the run completes), but it misses the service's 5xx target.
 */
export function problemsOf(results: readonly ScenarioResult[]): string[] {
  const problems: string[] = [];
  for (const r of results) {
    const named: [Target['name'], Measurement | undefined][] = [
      ['service', r.service],
      ['minimal', r.minimal],
      ['same-calls', r.sameCalls],
    ];
    for (const [side, s] of named) {
      if (!s) continue;
      if (s.errors > 0) {
        problems.push(
          `${label(r)}: ${side} had ${s.errors} errors (status codes ${JSON.stringify(s.statusCodes)})`,
        );
      }
      if (s.reqPerSec === 0) problems.push(`${label(r)}: ${side} served no 2xx response`);
    }
  }
  return problems;
}
