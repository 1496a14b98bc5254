import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { recordLogSource, recordOutput } from './run-audit';

const REPO = join(__dirname, '..', '..');

export interface ServerProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Runs src/main.ts in a child process exactly as `npm start` would (transpiled on the fly), logging
 * at debug and reading no .env unless told otherwise; its whole output goes to the run's log audit.
 */
export function spawnServer(env: Record<string, string>): ServerProcess {
  recordLogSource('server src/main.ts');
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', join(REPO, 'src', 'main.ts')],
    {
      cwd: REPO,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        LOG_LEVEL: 'debug',
        // A developer's .env must not change what the tests run; a test names a file to test it.
        ENV_FILE: 'none',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => {
      recordOutput(out);
      resolve({ code, signal });
    }),
  );
  return { child, output: () => out, exited };
}

/**
 * The base URL of a server started with PORT=0, read from the line it prints once listening
 * (the kernel picked the port, so no other process can race for it).
 */
export async function listeningBase(server: ServerProcess, timeoutMs: number): Promise<string> {
  const printed = /(?:API docs|Health): http:\/\/localhost:(\d+)\//;
  await waitFor(async () => printed.test(server.output()), timeoutMs, 'the server to listen');
  return `http://127.0.0.1:${printed.exec(server.output())![1]}`;
}

export async function waitFor(
  predicate: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await predicate().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

export async function httpStatus(url: string): Promise<number> {
  const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
  await res.arrayBuffer();
  return res.status;
}
