import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { Api, listen } from './utils/ledger-http';
import { waitFor } from './utils/server-process';
import { startTestApp, TestApp } from './utils/test-app';
import { createCustomer } from './utils/users';

const ROOT = join(__dirname, '..');
const MONITORING = join(ROOT, 'deploy', 'monitoring');
const RULES = join(MONITORING, 'alerts.rules.yml');
const PROMETHEUS = process.env.PROMETHEUS_BIN ?? 'prometheus';
const PROMTOOL = process.env.PROMTOOL_BIN ?? 'promtool';
/** Series the alerts read that other exporters provide (Prometheus itself, kube-state-metrics). */
const EXTERNAL_SERIES = ['up', 'kube_cronjob_status_last_successful_time'];

/* eslint-disable @typescript-eslint/no-explicit-any */
interface PanelTarget {
  title: string;
  expr: string;
}

function run(file: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: MONITORING, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number(err.code ?? 1) : 0, output: stdout + stderr }),
    );
  });
}

function dashboardTargets(): PanelTarget[] {
  const dashboard = JSON.parse(readFileSync(join(MONITORING, 'grafana-dashboard.json'), 'utf8'));
  return dashboard.panels.flatMap((p: any) =>
    (p.targets ?? []).map((t: any) => ({ title: p.title as string, expr: t.expr as string })),
  );
}

function ruleExpressions(): string[] {
  return (parse(readFileSync(RULES, 'utf8')).groups as any[]).flatMap((g) =>
    g.rules.map((r: any) => r.expr as string),
  );
}

/** Metric names used in selectors (`name{...}`) of an expression. */
function selectedMetrics(expr: string): string[] {
  return [...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\{/g)].map((m) => m[1]);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

describe('Monitoring: alert rules and dashboard (e2e)', () => {
  it('has alert rules that promtool accepts', async () => {
    const check = await run(PROMTOOL, ['check', 'rules', RULES]);
    expect(check.output).toContain('SUCCESS: 11 rules found');
    expect(check.code).toBe(0);
  });

  it('passes the alert unit tests (promtool test rules): each alert fires when it should, and only then', async () => {
    const test = await run(PROMTOOL, ['test', 'rules', join('tests', 'alerts.test.yml')]);
    expect(test.output).toContain('SUCCESS');
    expect(test.output).not.toContain('FAILED');
    expect(test.code).toBe(0);
  });

  it('has a Grafana dashboard whose panels have unique ids, a grid position and a Prometheus query', () => {
    const dashboard = JSON.parse(readFileSync(join(MONITORING, 'grafana-dashboard.json'), 'utf8'));
    expect(dashboard.uid).toBe('user-service');
    const ids = dashboard.panels.map((p: any) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of dashboard.panels) {
      const { x, y, w, h } = panel.gridPos;
      expect([x, y, w, h].every(Number.isInteger)).toBe(true);
      expect(x + w).toBeLessThanOrEqual(24); // Grafana's grid is 24 columns wide
    }
    const queried = dashboard.panels.filter((p: any) => p.type !== 'row');
    expect(queried.filter((p: any) => !(p.targets?.length > 0)).map((p: any) => p.title)).toEqual(
      [],
    );
    for (const panel of queried)
      for (const target of panel.targets) expect(target.expr).toMatch(/\w+/);
  });
});

describe('Monitoring: a real Prometheus scrapes the running service (e2e)', () => {
  let t: TestApp;
  let api: Api;
  let dir: string;
  let prometheus: ChildProcess;
  let prometheusExit: Promise<number | null>;
  let promBase: string;
  let promOutput = '';
  let metricsText = '';

  const query = async (expr: string): Promise<any> => {
    const url = `${promBase}/api/v1/query?query=${encodeURIComponent(expr)}`;
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    return res.json();
  };

  beforeAll(async () => {
    t = await startTestApp('monitoring');
    api = await listen(t);
    const customer = await createCustomer(t.http);
    const deposit = await api.post(
      `/users/${customer.userId}/balance/deposit`,
      customer.accessToken,
      {
        amount: '12.50',
      },
    );
    expect(deposit.status).toBe(201);
    expect((await api.call('GET', '/health')).status).toBe(200);
    expect((await api.call('GET', '/no/such/route')).status).toBe(404);
    metricsText = (await api.call('GET', '/metrics')).text;

    dir = mkdtempSync(join(tmpdir(), 'user-service-prometheus-'));
    const port = await freePort();
    promBase = `http://127.0.0.1:${port}`;
    const target = new URL(api.base).host;
    writeFileSync(
      join(dir, 'prometheus.yml'),
      [
        'global:',
        '  scrape_interval: 1s',
        '  evaluation_interval: 1s',
        'rule_files:',
        `  - ${JSON.stringify(RULES)}`,
        'scrape_configs:',
        '  - job_name: user-service',
        '    metrics_path: /metrics',
        '    static_configs:',
        `      - targets: [${JSON.stringify(target)}]`,
        '',
      ].join('\n'),
    );
    prometheus = spawn(
      PROMETHEUS,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    prometheus.stdout?.on('data', (d: Buffer) => (promOutput += d.toString()));
    prometheus.stderr?.on('data', (d: Buffer) => (promOutput += d.toString()));
    prometheusExit = new Promise((resolve) => {
      prometheus.on('error', (err) => {
        promOutput += `spawn ${PROMETHEUS}: ${err.message} (apt-get install -y prometheus)`;
        resolve(null);
      });
      prometheus.on('exit', (code) => resolve(code));
    });
    await waitFor(
      async () => {
        const up = await query('up{job="user-service"}');
        return up.data?.result?.[0]?.value?.[1] === '1';
      },
      30_000,
      'Prometheus to scrape the service',
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${promOutput}`);
    });
  }, 90_000);

  afterAll(async () => {
    if (prometheus?.pid) {
      process.kill(prometheus.pid, 'SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const stopped = await Promise.race([
        prometheusExit,
        new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), 15_000))),
      ]);
      clearTimeout(timer);
      if (stopped === 'timeout') process.kill(prometheus.pid, 'SIGKILL');
      expect(stopped).not.toBe('timeout');
      expect(() => process.kill(prometheus.pid!, 0)).toThrow();
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
    await t?.close();
  }, 30_000);

  it('sees the target up and the http_requests_total series with route templates and statuses', async () => {
    const up = await query('up{job="user-service"}');
    expect(up.data.result).toEqual([
      expect.objectContaining({ metric: expect.objectContaining({ job: 'user-service' }) }),
    ]);
    expect(up.data.result[0].value[1]).toBe('1');

    await waitFor(
      async () => {
        const r = await query('http_requests_total{job="user-service",route="/health"}');
        return r.data.result.length > 0;
      },
      15_000,
      'the /health request in Prometheus',
    );
    const series = await query('http_requests_total{job="user-service"}');
    const labels = series.data.result.map((r: any) => r.metric);
    expect(labels).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ method: 'GET', route: '/health', status: '200' }),
        expect.objectContaining({ method: 'GET', route: '<unmatched>', status: '404' }),
        expect.objectContaining({
          method: 'POST',
          route: '/users/:user_id/balance/deposit',
          status: '201',
        }),
      ]),
    );
  });

  it('loads every alert rule and evaluates it without errors against the scraped series', async () => {
    await waitFor(
      async () => {
        const res: any = await (await fetch(`${promBase}/api/v1/rules`)).json();
        const rules = res.data.groups.flatMap((g: any) => g.rules);
        return rules.length === 11 && rules.every((r: any) => r.health === 'ok');
      },
      20_000,
      'every rule evaluated with health "ok"',
    );
    const res: any = await (await fetch(`${promBase}/api/v1/alerts`)).json();
    // A healthy service with a little traffic: nothing fires (the CronJob series is absent here).
    expect(res.data.alerts.filter((a: any) => a.state === 'firing')).toEqual([]);
  });

  it('uses only metric names the service exports (or Prometheus and kube-state-metrics provide)', () => {
    const exported = new Set(
      [...metricsText.matchAll(/^# TYPE (\S+) (\S+)$/gm)].flatMap(([, name, type]) =>
        type === 'histogram' ? [`${name}_bucket`, `${name}_count`, `${name}_sum`] : [name],
      ),
    );
    const recorded = ['user_service:http_requests:rate5m'];
    const used = [
      ...ruleExpressions().flatMap(selectedMetrics),
      ...dashboardTargets().flatMap((d) => selectedMetrics(d.expr)),
    ];
    expect(used.length).toBeGreaterThan(20);
    const unknown = [...new Set(used)].filter(
      (m) => !exported.has(m) && !EXTERNAL_SERIES.includes(m) && !recorded.includes(m),
    );
    expect(unknown).toEqual([]);
  });

  it('answers every dashboard query, with data wherever the test produced some', async () => {
    // Nothing failed, the readiness probe never saw a 503 and no inventory call was made here.
    const emptyHere = new Set([
      '5xx ratio',
      'Health: readiness 503s/s',
      'Inventory calls/s by result',
    ]);
    // Rates over 1m need two scrapes of the traffic above.
    await new Promise((r) => setTimeout(r, 2500));
    for (const { title, expr } of dashboardTargets()) {
      const res = await query(expr.replaceAll('$__rate_interval', '1m'));
      expect([title, res.status, res.error]).toEqual([title, 'success', undefined]);
      if (!emptyHere.has(title)) {
        expect([title, res.data.result.length > 0]).toEqual([title, true]);
      }
    }
  });
});
