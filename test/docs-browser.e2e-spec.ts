import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findOnPath } from './utils/find-on-path';
import { startTestApp, TestApp } from './utils/test-app';

const run = promisify(execFile);
const CHROMIUM = findOnPath(['chromium', 'chromium-browser'], 'apt-get install -y chromium');

/** Loads a page in headless Chromium with every non-loopback host unresolvable; returns the DOM. */
async function renderOffline(url: string): Promise<string> {
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
        '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
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

  beforeAll(async () => {
    t = await startTestApp('docs_browser');
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.getHttpServer().address();
    if (!address || typeof address === 'string') throw new Error('no address');
    base = `http://127.0.0.1:${address.port}`;
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
});
