import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findOnPath } from './utils/find-on-path';
import { listen } from './utils/raw-http';
import { startTestApp, TestApp } from './utils/test-app';

const run = promisify(execFile);
const CHROMIUM = findOnPath(['chromium', 'chromium-browser'], 'apt-get install -y chromium');

/**
 * This machine's own address as another computer on the LAN would use it: the first non-internal
 * IPv4, or the host name when there is none. Only the machine's own addresses are ever targeted.
 */
function ownNonLoopbackHost(): string {
  const lan = Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal);
  return lan?.address ?? hostname();
}

/** Loads a page in headless Chromium with every other host unresolvable; returns the DOM. */
async function renderOffline(url: string): Promise<string> {
  const host = new URL(url).hostname;
  const profile = mkdtempSync(join(tmpdir(), 'chromium-'));
  try {
    const { stdout } = await run(
      CHROMIUM,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--user-data-dir=${profile}`,
        `--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE ${host}`,
        '--virtual-time-budget=20000',
        '--dump-dom',
        url,
      ],
      { timeout: 90_000, maxBuffer: 64 * 1024 * 1024 },
    );
    return stdout;
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

describe('API docs in a real browser with no internet', () => {
  let t: TestApp;
  let base: string;
  let lanBase: string;

  beforeAll(async () => {
    t = await startTestApp('docs_browser');
    const port = await listen(t.app, '0.0.0.0');
    base = `http://127.0.0.1:${port}`;
    lanBase = `http://${ownNonLoopbackHost()}:${port}`;
  });
  afterAll(async () => {
    await t.close();
  });

  it('renders Swagger UI at /docs with the operations', async () => {
    const dom = await renderOffline(`${base}/docs`);
    expect(dom).toContain('class="swagger-ui');
    expect(dom).toContain('User Service');
    expect(dom).toMatch(/opblock-summary-path[^>]*>.*\/health/s);
  });

  it('renders ReDoc at /redoc with the operations', async () => {
    const dom = await renderOffline(`${base}/redoc`);
    expect(dom).toMatch(/<h1[^>]*>User Service/);
    expect(dom).toContain('/health/live');
    expect(dom).not.toContain('Something went wrong');
  });

  it('renders both pages through a non-loopback address of this machine (plain HTTP)', async () => {
    const swagger = await renderOffline(`${lanBase}/docs`);
    expect(swagger).toMatch(/opblock-summary-path[^>]*>.*\/health/s);
    const redoc = await renderOffline(`${lanBase}/redoc`);
    expect(redoc).toMatch(/<h1[^>]*>User Service/);
    expect(redoc).toContain('/health/live');
  });

  it('sends no HSTS and no upgrade-insecure-requests outside production', async () => {
    const res = await fetch(`${lanBase}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('strict-transport-security')).toBeNull();
    expect(res.headers.get('content-security-policy')).not.toMatch(/upgrade-insecure-requests/);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
  });
});
