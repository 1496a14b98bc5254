/**
 * Embedded DynamoDB Local (AWS's official emulator, a Java jar) for development and tests.
 *
 * The jar ships inside the npm package `amplify-dynamodb-simulator` (folder `emulator/`). Only that
 * tarball is fetched (`npm pack`, never installed), checked against a pinned integrity, and its
 * `emulator/` folder is extracted into a git-ignored cache.
 *
 * The JVM runs under a tiny bash guard whose stdin is a pipe from this Node process: when Node dies,
 * however it dies (even SIGKILL), the pipe closes and the guard kills the JVM, so no JVM is orphaned.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { createInterface } from 'node:readline';

/** Pinned emulator package. Change both together (`npm view <spec> dist.integrity`). */
export const EMULATOR_PACKAGE = 'amplify-dynamodb-simulator@2.9.30';
export const EMULATOR_INTEGRITY =
  'sha512-xTeeRLvzEfqyd5lh3bH4c0kHvSHHmmhD5ZDsHFKAQ5g2Zl6JqlFdutaQhCLHzxEp6Ry1o7TB6niIoXuQAnSewQ==';

/** Repository root: this file lives in `src/database/local/` (or `dist/database/local/` once built). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const DEFAULT_CACHE_DIR = path.join(REPO_ROOT, '.cache', 'dynamodb-local');

/** Credentials and region DynamoDB Local accepts (it checks nothing, but the SDK needs some). */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
export const LOCAL_REGION = 'us-west-2';

const JAR = 'DynamoDBLocal.jar';
const GUARD_NAME = 'dynamodb-local-guard';
const READY_TIMEOUT_MS = 30_000;
const POLL_INTERVAL_MS = 100;
const STOP_TIMEOUT_MS = 5_000;
const STDERR_TAIL_LINES = 40;

export class JavaMissingError extends Error {
  constructor() {
    super(
      'Java is required to run the embedded DynamoDB Local: install it (apt-get install -y default-jre-headless) or set DYNAMODB_ENDPOINT to a running DynamoDB.',
    );
    this.name = 'JavaMissingError';
  }
}

export interface DynamoDbLocalOptions {
  /** 0 or undefined: pick a free port. */
  port?: number;
  /** undefined: `-inMemory`; otherwise `-sharedDb -dbPath <dbPath>` (created if missing). */
  dbPath?: string;
  cacheDir?: string;
  /** Where the JVM's PID is recorded; a stale JVM named there is killed first. */
  pidFile?: string;
  /** JVM maximum heap (`-Xmx`), default 512 MB. */
  heapMb?: number;
  /** Receives each line the emulator prints. */
  log?: (line: string) => void;
  /** Called before the emulator's tarball is fetched (first start only), to tell the user why it waits. */
  onFetch?: () => void;
}

export interface DynamoDbLocalHandle {
  endpoint: string;
  port: number;
  /** The JVM's own PID. */
  pid: number;
  /** SIGTERM, wait up to 5 s, then SIGKILL. Idempotent. */
  stop(): Promise<void>;
}

/** A port that was free a moment ago on 127.0.0.1. */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close((err) =>
        err ? reject(err) : port ? resolve(port) : reject(new Error('no port')),
      );
    });
  });
}

/** Whether `port` can be bound on all interfaces (where DynamoDB Local listens). */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
  });
}

export function javaAvailable(): boolean {
  const result = spawnSync('java', ['-version'], { stdio: 'ignore', timeout: 15_000 });
  return !result.error && result.status === 0;
}

function run(cmd: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${stderr}`.trim()));
      } else {
        resolve(stdout);
      }
    });
  });
}

function sha512Base64(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha512');
    createReadStream(file)
      .on('error', reject)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('base64')));
  });
}

/** Work folders left by interrupted fetches (an hour old: no live fetch takes that long). */
async function removeAbandonedFetches(cacheDir: string): Promise<void> {
  const entries = await readdir(cacheDir).catch(() => [] as string[]);
  for (const name of entries.filter((n) => n.startsWith('.fetch-'))) {
    const dir = path.join(cacheDir, name);
    const info = await stat(dir).catch(() => undefined);
    if (info && Date.now() - info.mtimeMs > 3_600_000) {
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    }
  }
}

/**
 * Makes sure `<cacheDir>/emulator/DynamoDBLocal.jar` exists, fetching and verifying the pinned
 * tarball if needed. The folder appears atomically (extract elsewhere, then rename), so a concurrent
 * or interrupted run never leaves a half-filled cache. Returns the emulator folder.
 */
export async function ensureEmulator(
  cacheDir: string = DEFAULT_CACHE_DIR,
  onFetch?: () => void,
): Promise<string> {
  const target = path.join(cacheDir, 'emulator');
  if (existsSync(path.join(target, JAR))) return target;
  onFetch?.();

  await mkdir(cacheDir, { recursive: true });
  await removeAbandonedFetches(cacheDir);
  // Same filesystem as the target, so the final rename is atomic.
  const work = await mkdtemp(path.join(cacheDir, '.fetch-'));
  try {
    const out = await run(
      'npm',
      ['pack', EMULATOR_PACKAGE, '--pack-destination', work, '--json', '--ignore-scripts'],
      work,
    );
    const jsonStart = out.indexOf('[');
    const packed = JSON.parse(jsonStart >= 0 ? out.slice(jsonStart) : out) as Array<{
      filename?: string;
    }>;
    const filename = packed[0]?.filename;
    if (!filename) throw new Error(`npm pack ${EMULATOR_PACKAGE} reported no tarball: ${out}`);
    const tarball = path.join(work, path.basename(filename));

    const actual = `sha512-${await sha512Base64(tarball)}`;
    if (actual !== EMULATOR_INTEGRITY) {
      throw new Error(
        `Integrity check failed for ${EMULATOR_PACKAGE}: expected ${EMULATOR_INTEGRITY}, got ${actual}. ` +
          'Refusing to use the downloaded emulator.',
      );
    }

    const extractDir = path.join(work, 'x');
    await mkdir(extractDir);
    await run(
      'tar',
      ['-xzf', tarball, '-C', extractDir, '--strip-components=1', 'package/emulator'],
      work,
    );
    const extracted = path.join(extractDir, 'emulator');
    if (!existsSync(path.join(extracted, JAR))) {
      throw new Error(`${EMULATOR_PACKAGE} has no emulator/${JAR}`);
    }

    if (existsSync(target) && !existsSync(path.join(target, JAR))) {
      // A folder without the jar was not made by us (our rename is atomic): move it out of the way.
      await rename(target, path.join(work, 'stale')).catch(() => undefined);
    }
    try {
      await rename(extracted, target);
    } catch (err) {
      // A concurrent run may have won the race; its result is as good as ours.
      if (!existsSync(path.join(target, JAR))) throw err;
    }
    return target;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function cmdline(pid: number): Promise<string> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

async function parentPid(pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name: state, ppid, ...
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(rest[1]) || 0;
  } catch {
    return 0;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Whether `promise` settles within `ms`; leaves no timer behind (it would hold the event loop). */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(50);
  }
  return !isAlive(pid);
}

async function killPid(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  if (!(await waitForExit(pid, STOP_TIMEOUT_MS))) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      return;
    }
    await waitForExit(pid, 2_000);
  }
}

/**
 * Kills the JVM a previous run recorded in `pidFile`, if it is still running and no live guard owns
 * it (a JVM whose guard is alive belongs to a running process and is left alone).
 */
async function killStale(pidFile: string, log: (line: string) => void): Promise<void> {
  let pid: number;
  try {
    pid = Number((await readFile(pidFile, 'utf8')).trim());
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 1 || !isAlive(pid)) return;
  if (!(await cmdline(pid)).includes(JAR)) return;
  const ppid = await parentPid(pid);
  if (ppid > 1 && (await cmdline(ppid)).includes(GUARD_NAME)) {
    log(
      `DynamoDB Local pid ${pid} from ${pidFile} is owned by a running process; leaving it alone`,
    );
    return;
  }
  log(`killing stale DynamoDB Local (pid ${pid}, from ${pidFile})`);
  await killPid(pid);
}

/*
 * $0 names the guard; $1 is the pid file ('' for none); the rest is the java command line.
 * The JVM's stdout goes to stderr so the guard's stdout carries only the JVM's PID. `cat` reads
 * stdin until Node's end of the pipe closes (stop() or Node's death), then the JVM is killed.
 */
const GUARD_SCRIPT = [
  'pidfile=$1; shift',
  '"$@" 1>&2 &',
  'j=$!',
  'echo "$j"',
  'if [ -n "$pidfile" ]; then echo "$j" > "$pidfile"; fi',
  'trap \'kill "$j" 2>/dev/null; wait "$j"; exit 0\' HUP INT TERM',
  'cat <&0 >/dev/null & c=$!',
  'wait "$c"',
  'kill "$j" 2>/dev/null',
  'wait "$j"',
].join('\n');

interface Launched {
  guard: ChildProcess;
  pid: number;
  exited: Promise<void>;
  tail: string[];
  hasExited: () => boolean;
  /** The JVM reported it could not bind its port (it then hangs instead of exiting). */
  bindFailed: () => boolean;
}

async function launch(
  emulatorDir: string,
  port: number,
  opts: DynamoDbLocalOptions,
  log: (line: string) => void,
): Promise<Launched> {
  const javaArgs = [
    'java',
    `-Xmx${opts.heapMb ?? 512}m`,
    `-Djava.library.path=${path.join(emulatorDir, 'DynamoDBLocal_lib')}`,
    '-jar',
    path.join(emulatorDir, JAR),
    '-port',
    String(port),
    '-disableTelemetry',
    ...(opts.dbPath ? ['-sharedDb', '-dbPath', opts.dbPath] : ['-inMemory']),
  ];
  const guard = spawn('bash', ['-c', GUARD_SCRIPT, GUARD_NAME, opts.pidFile ?? '', ...javaArgs], {
    cwd: emulatorDir,
    // Own process group: a terminal's Ctrl-C reaches Node, which decides; the pipe does the rest.
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });

  const tail: string[] = [];
  let exited = false;
  let bindFailed = false;
  const exitedPromise = new Promise<void>((resolve) => {
    // 'close' comes after the process exited and its output pipes were drained.
    guard.once('close', () => {
      exited = true;
      resolve();
    });
    guard.once('error', (err) => {
      tail.push(`failed to run bash: ${err.message}`);
      exited = true;
      resolve();
    });
  });
  createInterface({ input: guard.stderr! }).on('line', (line) => {
    if (/Failed to bind|BindException|Address already in use/i.test(line)) bindFailed = true;
    tail.push(line);
    if (tail.length > STDERR_TAIL_LINES) tail.shift();
    log(line);
  });
  // Writes to a closed pipe (guard gone) must not crash Node.
  guard.stdin!.on('error', () => undefined);

  const pid = await new Promise<number>((resolve, reject) => {
    const rl = createInterface({ input: guard.stdout! });
    rl.once('line', (line) => {
      rl.close();
      const n = Number(line.trim());
      if (Number.isInteger(n) && n > 1) resolve(n);
      else reject(new Error(`DynamoDB Local guard printed an unexpected PID: ${line}`));
    });
    void exitedPromise.then(() =>
      reject(new Error(`DynamoDB Local guard exited at start:\n${tail.join('\n')}`)),
    );
  });
  return {
    guard,
    pid,
    exited: exitedPromise,
    tail,
    hasExited: () => exited,
    bindFailed: () => bindFailed,
  };
}

async function stopLaunched(l: Launched): Promise<void> {
  if (!l.hasExited()) {
    try {
      process.kill(l.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    l.guard.stdin?.end();
    if (!(await settlesWithin(l.exited, STOP_TIMEOUT_MS))) {
      for (const pid of [l.pid, l.guard.pid]) {
        try {
          if (pid) process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await settlesWithin(l.exited, 2_000);
    }
  }
  // The guard waited for the JVM; this covers the guard having been killed from outside.
  if (isAlive(l.pid) && (await cmdline(l.pid)).includes(JAR)) await killPid(l.pid);
}

type StartState = 'ready' | 'exited' | 'bind-failed';

async function waitUntilReady(endpoint: string, l: Launched): Promise<StartState> {
  // Imported here, not at the top: a machine without Java then never loads the SDK (or its warnings).
  const { DynamoDBClient, ListTablesCommand } = await import('@aws-sdk/client-dynamodb');
  const client = new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000 },
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  try {
    while (Date.now() < deadline) {
      if (l.bindFailed()) return 'bind-failed';
      if (l.hasExited()) return 'exited';
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return 'ready';
      } catch {
        await sleep(POLL_INTERVAL_MS);
      }
    }
    throw new Error(
      `DynamoDB Local did not answer on ${endpoint} within ${READY_TIMEOUT_MS / 1000} s:\n` +
        l.tail.join('\n'),
    );
  } finally {
    client.destroy();
  }
}

/**
 * Starts DynamoDB Local and resolves once it answers ListTables. The returned handle does not keep
 * the Node event loop alive; if Node exits without calling stop(), the guard still kills the JVM.
 */
export async function startDynamoDbLocal(
  opts: DynamoDbLocalOptions = {},
): Promise<DynamoDbLocalHandle> {
  if (!javaAvailable()) throw new JavaMissingError();
  const log = opts.log ?? (() => undefined);
  const emulatorDir = await ensureEmulator(opts.cacheDir ?? DEFAULT_CACHE_DIR, opts.onFetch);
  if (opts.pidFile) {
    await mkdir(path.dirname(opts.pidFile), { recursive: true });
    await killStale(opts.pidFile, log);
  }
  if (opts.dbPath) await mkdir(opts.dbPath, { recursive: true });

  const autoPort = !opts.port;
  // A port picked automatically can be taken before the JVM binds it: try a few.
  for (let attempt = 1; ; attempt++) {
    const port = opts.port || (await findFreePort());
    // Otherwise whatever already listens there could answer the readiness check in our place.
    if (!(await portFree(port))) {
      if (autoPort && attempt < 3) continue;
      throw new Error(`Cannot start DynamoDB Local: port ${port} is already in use.`);
    }
    const endpoint = `http://127.0.0.1:${port}`;
    const launched = await launch(emulatorDir, port, opts, log);
    let state: StartState;
    try {
      state = await waitUntilReady(endpoint, launched);
    } catch (err) {
      await stopLaunched(launched);
      throw err;
    }
    if (state !== 'ready') {
      await stopLaunched(launched);
      if (state === 'bind-failed' && autoPort && attempt < 3) continue;
      throw new Error(
        state === 'bind-failed'
          ? `Cannot start DynamoDB Local: port ${port} is already in use.\n${launched.tail.join('\n')}`
          : `DynamoDB Local exited during start-up:\n${launched.tail.join('\n')}`,
      );
    }

    // Do not keep the event loop alive for the emulator's sake.
    launched.guard.unref();
    for (const stream of [launched.guard.stdin, launched.guard.stdout, launched.guard.stderr]) {
      (stream as unknown as { unref?: () => void } | null)?.unref?.();
    }

    let stopping: Promise<void> | undefined;
    const pidFile = opts.pidFile;
    return {
      endpoint,
      port,
      pid: launched.pid,
      stop: () =>
        (stopping ??= (async () => {
          await stopLaunched(launched);
          if (pidFile) {
            const recorded = await readFile(pidFile, 'utf8').catch(() => '');
            if (recorded.trim() === String(launched.pid))
              await unlink(pidFile).catch(() => undefined);
          }
        })()),
    };
  }
}
