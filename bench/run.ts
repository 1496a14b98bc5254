/**
 * `npm run bench`: the service against bare Node baselines, in the same run, on the same DynamoDB
 * Local: the minimal one (only the DynamoDB work the API contract needs; the headline) and the
 * same-calls one (the service's own DynamoDB calls). Results are ratios (service/baseline), never
 * absolute figures checked against a clock. Prints a Markdown table and writes
 * bench/results/latest.json.
 *
 * BENCH_ROUNDS (default 2): how many times each scenario's duration is measured per server. The
 * measured time is cut into slices of half a duration in a balanced order (A B C C B A per round).
 * BENCH_TRACING=on: the service runs with OpenTelemetry tracing, exporting (OTLP/HTTP protobuf) to a
 * sink in this process. BENCH_SCENARIOS (e.g. `balance,deposit`): only those scenarios.
 * BENCH_BASELINES (default `minimal,same-calls`): `minimal` skips the same-calls baseline.
 * BENCH_PROFILE=1: the service runs with `--cpu-prof`; its CPU per layer is printed at the end.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as ts from 'typescript';
import { ensureTable } from '../src/database/ensure-table';
import {
  DynamoDbLocalHandle,
  findFreePort,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  startDynamoDbLocal,
} from '../src/database/local/dynamodb-local';
import { BASELINE_MODES, BaselineMode, isBaselineMode } from './lib/baselines';
import { BASELINE_CALLS_PATH, readCalls } from './lib/counters';
import { runScenario, SCENARIOS, Target, warmUp } from './lib/load';
import { OtlpSink, startOtlpSink } from './lib/otlp-sink';
import { cpuBreakdown, newestProfile } from './lib/profile';
import { CpuWindow, startServer, waitUntilHealthy } from './lib/processes';
import {
  markdownTable,
  OTHER_LOAD_WARNING_CORES,
  problemsOf,
  ScenarioResult,
  scenarioResult,
  targetSummary,
  warningsOf,
} from './lib/report';
import { seedBaseline, seedService } from './lib/seed';

const REPO = join(__dirname, '..');
const RESULTS_FILE = join(__dirname, 'results', 'latest.json');
const BASELINE_SOURCES = [
  'baseline-server.ts',
  'lib/baselines.ts',
  'lib/counters.ts',
  'lib/items.ts',
  'lib/jwt.ts',
];
const BASELINE_OUT = join(REPO, 'dist', 'bench');

const USERS = 200;
const SEED_CONCURRENCY = 8;
const EMULATOR_WARM_UP_S = 15;
const SCENARIO_WARM_UP_S = 3;
const BCRYPT_COST = 10;
/** The largest DAILY_DEPOSIT_LIMIT the service accepts (9 digits): the limit never interferes. */
const DAILY_DEPOSIT_LIMIT = '999999999';
const SERVICE_TABLE = 'bench_service';
const BASELINE_TABLES: Record<BaselineMode, string> = {
  minimal: 'bench_minimal',
  'same-calls': 'bench_same_calls',
};

const started = Date.now();
const log = (message: string) =>
  process.stderr.write(
    `[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${message}\n`,
  );

function rounds(): number {
  const raw = process.env.BENCH_ROUNDS ?? '2';
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 10)
    throw new Error(`BENCH_ROUNDS must be 1-10, not "${raw}"`);
  return n;
}

function tracingOn(): boolean {
  const raw = (process.env.BENCH_TRACING ?? 'off').toLowerCase();
  if (!['on', 'off'].includes(raw))
    throw new Error(`BENCH_TRACING must be on or off, not "${raw}"`);
  return raw === 'on';
}

function selectedScenarios(): typeof SCENARIOS {
  const raw = process.env.BENCH_SCENARIOS;
  if (!raw) return SCENARIOS;
  const ids = raw.split(',').map((id) => id.trim());
  const unknown = ids.filter((id) => !SCENARIOS.some((s) => s.id === id));
  if (unknown.length > 0 || ids.length === 0)
    throw new Error(
      `BENCH_SCENARIOS: unknown ${unknown.join(', ')} (${SCENARIOS.map((s) => s.id)})`,
    );
  return SCENARIOS.filter((s) => ids.includes(s.id));
}

/** The baselines to run: the minimal one always (the headline), the same-calls one unless left out. */
function selectedBaselines(): BaselineMode[] {
  const raw = process.env.BENCH_BASELINES;
  if (!raw) return [...BASELINE_MODES];
  const modes = raw.split(',').map((m) => m.trim());
  const unknown = modes.filter((m) => !isBaselineMode(m));
  if (unknown.length > 0 || !modes.includes('minimal'))
    throw new Error(
      `BENCH_BASELINES must list minimal, and may add same-calls (${BASELINE_MODES}), not "${raw}"`,
    );
  return BASELINE_MODES.filter((m) => modes.includes(m));
}

function build(): void {
  const out = spawnSync('npm', ['run', 'build'], {
    cwd: REPO,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (out.status !== 0) throw new Error('npm run build failed');
}

/** The baseline as plain JavaScript (dist/bench/), so its process never loads TypeScript. */
function compileBaseline(): string {
  const options = ts.convertCompilerOptionsFromJson(
    { module: 'commonjs', target: 'ES2022', esModuleInterop: true },
    REPO,
  ).options;
  for (const source of BASELINE_SOURCES) {
    const path = join(__dirname, source);
    const { outputText } = ts.transpileModule(readFileSync(path, 'utf8'), {
      compilerOptions: options,
      fileName: path,
    });
    const target = join(BASELINE_OUT, source.replace(/\.ts$/, '.js'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, outputText);
  }
  return join(BASELINE_OUT, 'baseline-server.js');
}

function machine() {
  const cpus = os.cpus();
  return {
    nproc: os.availableParallelism(),
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    loadAverageAtStart: os.loadavg().map((l) => Number(l.toFixed(2))),
  };
}

/**
 * The service exactly as production runs it (the Dockerfile's `node` flags and `dist/main.js`, NODE_ENV=production, info logs
 * serialized to /dev/null), with rate limits counting but too high to refuse and the daily limit
 * out of the way.
 */
const HIGH_RATE_LIMIT = '1000000000';

/** The node flags of the image's CMD (`CMD ["node", ...flags, "dist/main.js"]`), so the bench runs them too. */
function productionNodeFlags(): string[] {
  const cmd = /^CMD (\[.*\])\s*$/m.exec(readFileSync(join(REPO, 'Dockerfile'), 'utf8'));
  const argv = cmd ? (JSON.parse(cmd[1]) as string[]) : [];
  if (argv[0] !== 'node' || argv[argv.length - 1] !== 'dist/main.js') {
    throw new Error('Dockerfile: expected CMD ["node", ...flags, "dist/main.js"]');
  }
  return argv.slice(1, -1);
}

const PROFILE_DIR = join(__dirname, 'results', 'profile');
const profiling = () => process.env.BENCH_PROFILE === '1';

async function startService(endpoint: string, sink?: OtlpSink) {
  const port = await findFreePort();
  const profile = profiling() ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
  return startServer(
    'service',
    [...productionNodeFlags(), ...profile, join(REPO, 'dist', 'main.js')],
    {
      NODE_ENV: 'production',
      PORT: String(port),
      JWT_SECRET_KEY: randomBytes(48).toString('base64url'),
      DYNAMODB_ENDPOINT: endpoint,
      DYNAMODB_TABLE_NAME: SERVICE_TABLE,
      AWS_REGION: LOCAL_REGION,
      BCRYPT_COST: String(BCRYPT_COST),
      // Every limit on, counting every request, but set too high to refuse any (issue #10).
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_PER_MINUTE: HIGH_RATE_LIMIT,
      AUTH_RATE_LIMIT_PER_MINUTE: HIGH_RATE_LIMIT,
      MONEY_RATE_LIMIT_PER_MINUTE: HIGH_RATE_LIMIT,
      LOG_LEVEL: 'info',
      DAILY_DEPOSIT_LIMIT,
      // Shutdown only: no 5 s connection drain when the run ends.
      SHUTDOWN_DRAIN_MS: '0',
      // Required in production. Nothing listens there: each registration's verification mail fails
      // once while the users are seeded, and its retry (an hour later) and the outbox poll (10 min)
      // stay out of the measured slices.
      SMTP_URL: 'smtp://127.0.0.1:2525',
      APP_BASE_URL: 'http://localhost',
      MAIL_RETRY_BASE_MS: '3600000',
      MAIL_POLL_INTERVAL_MS: '600000',
      ENV_FILE: 'none',
      ...(sink ? { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url } : {}),
    },
    port,
    REPO,
  );
}

/** One baseline server in its mode, on its own table, with its own token key. */
async function startBaseline(endpoint: string, script: string, mode: BaselineMode) {
  const port = await findFreePort();
  const secret = randomBytes(48).toString('base64url');
  const server = startServer(
    mode,
    [script],
    {
      PORT: String(port),
      BASELINE_MODE: mode,
      JWT_SECRET_KEY: secret,
      DYNAMODB_ENDPOINT: endpoint,
      DYNAMODB_TABLE_NAME: BASELINE_TABLES[mode],
      DAILY_DEPOSIT_LIMIT_CENTS: `${DAILY_DEPOSIT_LIMIT}00`,
    },
    port,
    REPO,
  );
  return { mode, server, secret };
}

/** bench/results/latest.json, formatted as the repository's Prettier would. */
async function writeResults(results: unknown): Promise<void> {
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(RESULTS_FILE)) ?? {};
  const text = await prettier.format(JSON.stringify(results), {
    ...options,
    filepath: RESULTS_FILE,
  });
  mkdirSync(dirname(RESULTS_FILE), { recursive: true });
  writeFileSync(RESULTS_FILE, text);
}

async function main(): Promise<void> {
  const roundCount = rounds();
  const tracing = tracingOn();
  const scenarios = selectedScenarios();
  const baselineModes = selectedBaselines();
  const info = machine();
  const cleanups: (() => Promise<void>)[] = [];
  const cleanUp = async () => {
    for (const step of cleanups.splice(0).reverse()) await step().catch(() => undefined);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping`);
      void cleanUp().finally(() => process.exit(130));
    });
  }

  try {
    log('npm run build');
    build();
    const baselineScript = compileBaseline();
    const quiet = new CpuWindow([process.pid]);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const otherCoresAtStart = quiet.stop().otherCores;
    log(`other processes keep ${otherCoresAtStart.toFixed(2)} of ${info.nproc} cores busy`);
    if (otherCoresAtStart > OTHER_LOAD_WARNING_CORES) {
      log('the machine is not idle: ratios stay comparable, absolute figures will be low');
    }

    log('starting DynamoDB Local (in memory)');
    const db: DynamoDbLocalHandle = await startDynamoDbLocal({ heapMb: 1024 });
    cleanups.push(() => db.stop());
    const client = new DynamoDBClient({
      endpoint: db.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    cleanups.push(async () => client.destroy());
    await ensureTable(client, SERVICE_TABLE);
    for (const mode of baselineModes) await ensureTable(client, BASELINE_TABLES[mode]);

    const sink = tracing ? await startOtlpSink() : undefined;
    if (sink) {
      cleanups.push(() => sink.close());
      log(`tracing on: the service exports spans to ${sink.url}`);
    }
    const service = await startService(db.endpoint, sink);
    cleanups.push(() => service.stop());
    const baselines = [];
    for (const mode of baselineModes) {
      const baseline = await startBaseline(db.endpoint, baselineScript, mode);
      cleanups.push(() => baseline.server.stop());
      baselines.push(baseline);
    }
    const servers = [service, ...baselines.map((b) => b.server)];
    await Promise.all(servers.map((server) => waitUntilHealthy(server)));
    log(servers.map((s) => `${s.name} pid ${s.pid} at ${s.baseUrl}`).join(', '));

    log(
      `seeding ${USERS} users through the service's API (register + login, ${SEED_CONCURRENCY} at a time)`,
    );
    const serviceUsers = await seedService(service.baseUrl, USERS, SEED_CONCURRENCY);
    const doc = DynamoDBDocumentClient.from(client);
    const targets: Target[] = [
      {
        name: 'service',
        baseUrl: service.baseUrl,
        pid: service.pid,
        ...serviceUsers,
        readCalls: () => readCalls(`${service.baseUrl}/metrics`, 'prometheus'),
      },
    ];
    for (const { mode, server, secret } of baselines) {
      log(`seeding ${USERS} equivalent users into the ${mode} baseline's table`);
      const users = await seedBaseline(doc, BASELINE_TABLES[mode], USERS, secret);
      targets.push({
        name: mode,
        baseUrl: server.baseUrl,
        pid: server.pid,
        ...users,
        readCalls: () => readCalls(`${server.baseUrl}${BASELINE_CALLS_PATH}`, 'json'),
      });
    }

    log(`warming up DynamoDB Local and all servers (${EMULATOR_WARM_UP_S} s, mixed load)`);
    const byId = (id: string) => SCENARIOS.find((s) => s.id === id)!;
    await warmUp(
      targets.flatMap((target) => [
        { target, scenario: byId('balance'), connections: 16 },
        { target, scenario: byId('deposit'), connections: 16 },
        { target, scenario: byId('login'), connections: 2 },
      ]),
      EMULATOR_WARM_UP_S,
    );

    const results: ScenarioResult[] = [];
    // Baselines first, then the service; which of them runs first rotates between scenarios.
    const rotation = [...targets.slice(1), targets[0]];
    for (const [index, scenario] of scenarios.entries()) {
      const shift = index % rotation.length;
      const order = [...rotation.slice(shift), ...rotation.slice(0, shift)];
      for (const server of servers) {
        if (server.hasExited()) throw new Error(`${server.name} died:\n${server.stderrTail()}`);
      }
      log(
        `${scenario.title} at ${scenario.connections} connection${scenario.connections === 1 ? '' : 's'}: ${SCENARIO_WARM_UP_S} s warm-up, then ` +
          `${roundCount * scenario.durationS} s per server in ${scenario.durationS / 2} s slices ` +
          `(${[...order, ...[...order].reverse()].map((t) => t.name).join(' ')} per round)`,
      );
      const run = await runScenario(order, scenario, {
        warmUpS: SCENARIO_WARM_UP_S,
        rounds: roundCount,
        accounting: { dynamoDbPid: db.pid },
      });
      for (const target of targets) {
        const m = run.sides[target.name]!;
        log(
          `  ${target.name.padEnd(10)} ${m.reqPerSec.toFixed(0)} req/s, mean ${m.latencyMeanMs} ms, ` +
            `p99 ${m.latencyP99Ms} ms, status ${JSON.stringify(m.statusCodes)}; cores: server ` +
            `${m.cpuCores.toFixed(2)}, autocannon ${m.loadGeneratorCores.toFixed(2)}, DynamoDB Local ` +
            `${m.dynamoDbCores.toFixed(2)}, other processes ${m.otherCores.toFixed(2)}; DynamoDB calls/req ` +
            JSON.stringify(m.dynamoDbCalls.byOperation, (_k, v: unknown) =>
              typeof v === 'number' ? Number(v.toFixed(3)) : v,
            ),
        );
      }
      results.push(scenarioResult(scenario, run));
    }

    const problems = problemsOf(results);
    const warnings = warningsOf(results, (id) => SCENARIOS.find((s) => s.id === id)!.request);
    const table = markdownTable(results);
    const summary = targetSummary(results);
    const totalS = (Date.now() - started) / 1000;
    await writeResults({
      date: new Date().toISOString(),
      totalSeconds: Math.round(totalS),
      machine: { ...info, otherCoresAtStart: Number(otherCoresAtStart.toFixed(2)) },
      config: {
        users: USERS,
        rounds: roundCount,
        bcryptCost: BCRYPT_COST,
        emulatorWarmUpSeconds: EMULATOR_WARM_UP_S,
        scenarioWarmUpSeconds: SCENARIO_WARM_UP_S,
        serviceLogLevel: 'info (stdout to /dev/null)',
        rateLimits: `on, ${HIGH_RATE_LIMIT} per minute`,
        tracing: sink ? { ...sink.stats(), exporter: 'OTLP/HTTP protobuf to a local sink' } : 'off',
        scenarios: scenarios.map((s) => s.id),
        baselines: baselineModes,
      },
      valid: problems.length === 0,
      targetSummary: summary,
      table,
      problems,
      warnings,
      scenarios: results,
    });

    process.stdout.write(
      `\n## User Service vs bare Node baselines (${info.nproc} cores, Node ${info.node}, ` +
        `BENCH_ROUNDS=${roundCount}, baselines ${baselineModes.join(', ')})\n\n` +
        `${sink ? `Service tracing on: ${sink.stats().requests} OTLP exports received.\n\n` : ''}` +
        `${table}\n\n${summary}.\n\n` +
        `vs minimal / vs same-calls = service req/s ÷ that baseline's req/s (higher is better), in brackets ` +
        `the range over each pass of the servers; latency ratios = service ÷ minimal (lower is better).\n` +
        `Written to ${relative(process.cwd(), RESULTS_FILE)} in ${totalS.toFixed(0)} s.\n`,
    );
    if (warnings.length > 0) {
      process.stdout.write(`\nWarnings:\n${warnings.map((w) => `- ${w}`).join('\n')}\n`);
    }
    if (problems.length > 0) {
      process.stdout.write(
        `\nThe figures are not valid:\n${problems.map((p) => `- ${p}`).join('\n')}\n`,
      );
      process.exitCode = 1;
    }
    if (profiling()) {
      const served = await servedRequests(service.baseUrl);
      await service.stop(); // the profile is written on exit
      const file = newestProfile(PROFILE_DIR);
      process.stdout.write(
        `\n## Where the service's CPU went (BENCH_PROFILE=1)\n\n` +
          (file ? cpuBreakdown(file, served) : 'No profile was written.') +
          '\n',
      );
    }
  } finally {
    log('stopping the servers and DynamoDB Local');
    await cleanUp();
  }
}

/** Requests the service answered so far (every route and status, from its own metrics). */
async function servedRequests(baseUrl: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('http_requests_total{'))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

main().catch((err: unknown) => {
  process.stderr.write(
    `bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exitCode = 1;
});
