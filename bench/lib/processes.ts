/** The two servers under test as child processes, and what /proc says about them. */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const STDERR_TAIL_LINES = 30;
const STOP_TIMEOUT_MS = 10_000;

export interface ServerProcess {
  readonly name: string;
  readonly pid: number;
  readonly baseUrl: string;
  readonly child: ChildProcess;
  hasExited(): boolean;
  stderrTail(): string;
  stop(): Promise<void>;
}

/**
 * Starts `node <args>` with exactly `env` (plus PATH and HOME). Stdout goes to /dev/null, so the
 * service's pino logger still serializes every line, as it would in production; stderr is kept
 * (last lines) for error reports.
 */
export function startServer(
  name: string,
  args: string[],
  env: Record<string, string>,
  port: number,
  cwd: string,
): ServerProcess {
  const child = spawn(process.execPath, args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`${name}: could not start ${args.join(' ')}`);
  const pid = child.pid;
  const tail: string[] = [];
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    tail.push(...chunk.split('\n').filter(Boolean));
    tail.splice(0, Math.max(0, tail.length - STDERR_TAIL_LINES));
  });
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  let stopping: Promise<void> | undefined;
  return {
    name,
    pid,
    baseUrl: `http://127.0.0.1:${port}`,
    child,
    hasExited: () => exited,
    stderrTail: () => tail.join('\n'),
    stop: () =>
      (stopping ??= (async () => {
        if (exited) return;
        child.kill('SIGTERM');
        if (!(await settles(exit, STOP_TIMEOUT_MS))) {
          child.kill('SIGKILL');
          await settles(exit, 2_000);
        }
      })()),
  };
}

async function settles(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves once `GET /health` answers 200; fails early, with its stderr, if the process dies. */
export async function waitUntilHealthy(server: ServerProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.hasExited()) {
      throw new Error(`${server.name} exited during start-up:\n${server.stderrTail()}`);
    }
    try {
      const res = await fetch(`${server.baseUrl}/health`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${server.name} did not answer /health within ${timeoutMs} ms`);
}

/** Resident set size in bytes (VmRSS), or undefined once the process is gone. */
export function rssBytes(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

const CLOCK_TICKS = (() => {
  const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const ticks = Number(out.stdout?.trim());
  return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
})();

/** User + system CPU time the process has used so far, in milliseconds. */
export function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 (utime) and 15 (stime) of proc(5); `fields` starts at field 3.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/** CPU time all cores have spent busy since boot (/proc/stat), in milliseconds. */
export function machineBusyMs(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
    const [user, nice, system, , , irq, softirq, steal] = line
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    return ((user + nice + system + irq + softirq + (steal ?? 0)) * 1000) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/**
 * CPU time of a set of processes and of the whole machine between `start()` and `stop()`: what the
 * processes of the run used, and what everything else on the machine took from it meanwhile.
 */
export class CpuWindow {
  private readonly before: number[];
  private readonly machineBefore = machineBusyMs();
  private readonly startedAt = Date.now();

  constructor(private readonly pids: readonly number[]) {
    this.before = pids.map(cpuMs);
  }

  /** Per-pid CPU ms, and the cores the rest of the machine kept busy on average. */
  stop(): { perPid: Map<number, number>; otherCores: number } {
    const perPid = new Map(this.pids.map((pid, i) => [pid, cpuMs(pid) - this.before[i]]));
    const ours = [...perPid.values()].reduce((a, b) => a + b, 0);
    const elapsed = Date.now() - this.startedAt;
    const other = machineBusyMs() - this.machineBefore - ours;
    return { perPid, otherCores: elapsed > 0 ? Math.max(0, other) / elapsed : 0 };
  }
}

/** Samples the RSS of some processes every `intervalMs` and remembers each one's peak. */
export class RssSampler {
  private readonly peaks = new Map<number, number>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly pids: readonly number[],
    private readonly intervalMs = 250,
  ) {}

  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    return this;
  }

  /** Stops sampling; peak RSS per pid in bytes. */
  stop(): Map<number, number> {
    clearInterval(this.timer);
    this.sample();
    return this.peaks;
  }

  private sample(): void {
    for (const pid of this.pids) {
      const rss = rssBytes(pid);
      if (rss !== undefined && rss > (this.peaks.get(pid) ?? 0)) this.peaks.set(pid, rss);
    }
  }
}
