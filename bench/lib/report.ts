/** Summaries over rounds, service/baseline ratios, and the Markdown table. */
import type { Measurement, Scenario, ScenarioRun, Slice } from './load';

/** Throughput ratio (service/baseline) a good service reaches; none for the framework-bound health check. */
export const TARGET_RATIO: Record<Scenario['id'], number | null> = {
  health: null,
  balance: 0.7,
  deposit: 0.7,
  login: 0.9,
};

/** Foreign CPU load (cores) in a window above which its figures are flagged. */
export const OTHER_LOAD_WARNING_CORES = 0.25;
/** A difference in DynamoDB calls per request above this is more than retries and window edges. */
const CALLS_DIFFERENCE_WARNING = 0.1;

export interface ScenarioResult {
  readonly id: Scenario['id'];
  readonly title: string;
  readonly connections: number;
  /** Measured seconds per server. */
  readonly measuredS: number;
  readonly baseline: Measurement;
  readonly service: Measurement;
  readonly ratio: {
    readonly throughput: number;
    readonly p99: number;
    /** Throughput ratio of each adjacent service/baseline slice pair: its spread shows the noise. */
    readonly pairs: readonly number[];
  };
  readonly targetRatio: number | null;
  readonly slices: readonly Slice[];
}

export function scenarioResult(scenario: Scenario, run: ScenarioRun): ScenarioResult {
  const { baseline, service, slices } = run;
  const pairs: number[] = [];
  for (let i = 0; i + 1 < slices.length; i += 2) {
    const [a, b] = [slices[i], slices[i + 1]];
    const [svc, base] = a.target === 'service' ? [a, b] : [b, a];
    if (base.reqPerSec > 0) pairs.push(svc.reqPerSec / base.reqPerSec);
  }
  return {
    id: scenario.id,
    title: scenario.title,
    connections: scenario.connections,
    measuredS: baseline.durationS,
    baseline,
    service,
    ratio: {
      throughput: baseline.reqPerSec > 0 ? service.reqPerSec / baseline.reqPerSec : 0,
      p99: baseline.latencyP99Ms > 0 ? service.latencyP99Ms / baseline.latencyP99Ms : 0,
      pairs,
    },
    targetRatio: TARGET_RATIO[scenario.id],
    slices,
  };
}

const f0 = (n: number) => n.toFixed(0);
const f1 = (n: number) => n.toFixed(1);
const f2 = (n: number) => n.toFixed(2);

function verdict(r: ScenarioResult): string {
  if (r.targetRatio === null) return '–';
  return `≥ ${f2(r.targetRatio)} ${r.ratio.throughput >= r.targetRatio ? '✅' : '❌'}`;
}

export function markdownTable(results: readonly ScenarioResult[]): string {
  const header = [
    'Scenario',
    'Conns',
    'Baseline req/s',
    'Service req/s',
    '**Ratio** (pair range)',
    'Target',
    'p50 ms (base / svc)',
    'p99 ms (base / svc)',
    'p99 ratio',
    'Errors (base / svc)',
    'Peak RSS MB (base / svc)',
    'CPU ms/req (base / svc)',
    'DynamoDB calls/req (base / svc)',
  ];
  const rows = results.map((r) => [
    `\`${r.title}\``,
    String(r.connections),
    f0(r.baseline.reqPerSec),
    f0(r.service.reqPerSec),
    `**${f2(r.ratio.throughput)}** (${f2(Math.min(...r.ratio.pairs))}–${f2(Math.max(...r.ratio.pairs))})`,
    verdict(r),
    `${f1(r.baseline.latencyP50Ms)} / ${f1(r.service.latencyP50Ms)}`,
    `${f1(r.baseline.latencyP99Ms)} / ${f1(r.service.latencyP99Ms)}`,
    f2(r.ratio.p99),
    `${r.baseline.errors} / ${r.service.errors}`,
    `${f0(r.baseline.peakRssMb)} / ${f0(r.service.peakRssMb)}`,
    `${f2(r.baseline.cpuMsPerRequest)} / ${f2(r.service.cpuMsPerRequest)}`,
    `${f2(r.baseline.dynamoDbCalls.total)} / ${f2(r.service.dynamoDbCalls.total)}`,
  ]);
  return [header, header.map(() => '---'), ...rows]
    .map((cells) => `| ${cells.join(' | ')} |`)
    .join('\n');
}

const operations = (calls: Record<string, number>) =>
  Object.entries(calls)
    .map(([op, n]) => `${op} ${f2(n)}`)
    .join(', ') || 'none';

/** What makes a ratio doubtful without making it wrong: foreign CPU load, different DynamoDB work. */
export function warningsOf(results: readonly ScenarioResult[]): string[] {
  const warnings: string[] = [];
  for (const r of results) {
    const loaded = r.slices.filter((slice) => slice.otherCores > OTHER_LOAD_WARNING_CORES);
    if (loaded.length > 0) {
      const worst = Math.max(...loaded.map((slice) => slice.otherCores));
      warnings.push(
        `${r.title}: processes outside the benchmark kept up to ${f2(worst)} cores busy ` +
          `(${loaded.length} of ${r.slices.length} slices); the ratio may be skewed`,
      );
    }
    const diff = r.service.dynamoDbCalls.total - r.baseline.dynamoDbCalls.total;
    if (Math.abs(diff) > CALLS_DIFFERENCE_WARNING) {
      warnings.push(
        `${r.title}: DynamoDB calls per request differ: service ${operations(r.service.dynamoDbCalls.byOperation)}; ` +
          `baseline ${operations(r.baseline.dynamoDbCalls.byOperation)}`,
      );
    }
  }
  return warnings;
}

/** Why the figures cannot be trusted: unexpected non-2xx or no response, or nothing served at all. */
export function problemsOf(results: readonly ScenarioResult[]): string[] {
  const problems: string[] = [];
  for (const r of results) {
    for (const side of ['baseline', 'service'] as const) {
      const s = r[side];
      if (s.errors > 0) {
        problems.push(
          `${r.title}: ${side} had ${s.errors} errors (status codes ${JSON.stringify(s.statusCodes)})`,
        );
      }
      if (s.reqPerSec === 0) problems.push(`${r.title}: ${side} served no 2xx response`);
    }
  }
  return problems;
}
