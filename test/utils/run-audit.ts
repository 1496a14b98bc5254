import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A log audit over the whole e2e run. The global setup makes a directory for this run and names it
 * in TEST_AUDIT_DIR (the test workers inherit it); the harness appends to it every log line of every
 * test app, spawned server and CLI, and every secret the tests send or receive (passwords, access,
 * refresh and service tokens, JWT keys, e-mail links and their tokens). The global teardown fails the run if any secret, a refresh
 * token's random part, a bearer token or a JWT shows up in a log line — and also if it read no log
 * line or no secret while some app or process ran, because an audit that saw nothing proves nothing.
 */
export const AUDIT_DIR_ENV = 'TEST_AUDIT_DIR';
const RUNS = join(__dirname, '..', '..', '.cache', 'test-runs');
const LOGS = 'app-logs.jsonl';
const SECRETS = 'secrets.txt';
const SOURCES = 'sources.txt';
const JWT = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/;
const BEARER = /bearer\s+\S{8,}/i;
const AUTHORIZATION = /"authorization"\s*:\s*"(?!\[redacted\])/i;
/** Secrets shorter than this are not recorded (they would match ordinary words). */
const MIN_SECRET_LENGTH = 8;
/** An account link (verification, reset) or an e-mail token `<user_id>.<256-bit secret>`. */
const EMAIL_TOKEN = /#token=|\b[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}\.[A-Za-z0-9_-]{43}\b/;

/** Creates this run's audit directory (global setup) and returns it. */
export function startRunAudit(): string {
  mkdirSync(RUNS, { recursive: true });
  const dir = mkdtempSync(join(RUNS, `run-${new Date().toISOString().replace(/[:.]/g, '')}-`));
  process.env[AUDIT_DIR_ENV] = dir;
  return dir;
}

/** Removes a clean run's directory; a failed run's is kept for inspection. */
export function endRunAudit(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

function runDir(): string {
  const dir = process.env[AUDIT_DIR_ENV];
  if (!dir || !existsSync(dir)) {
    throw new Error(
      `${AUDIT_DIR_ENV} is not set or missing: run e2e tests through test/jest-e2e.config.js, whose global setup starts the log audit.`,
    );
  }
  return dir;
}

/** Names a log source (a test app, a server or a CLI process) whose lines will be recorded. */
export function recordLogSource(name: string): void {
  appendFileSync(join(runDir(), SOURCES), `${name}\n`);
}

export function recordLogLines(lines: string[]): void {
  if (lines.length > 0) appendFileSync(join(runDir(), LOGS), lines.join('\n') + '\n');
}

/** Records the non-empty lines of a process's output (stdout or stderr) as log lines. */
export function recordOutput(text: string): void {
  recordLogLines(text.split('\n').filter((l) => l.trim().length > 0));
}

const recorded = new Set<string>();

export function recordSecrets(...secrets: Array<string | undefined | null>): void {
  const fresh = secrets.filter(
    (s): s is string => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH && !recorded.has(s),
  );
  if (fresh.length === 0) return;
  appendFileSync(join(runDir(), SECRETS), fresh.join('\n') + '\n');
  for (const s of fresh) recorded.add(s);
}

/**
 * What else must not appear when a secret must not: for a dotted token (a refresh token
 * `<user>.<session>.<secret>` or a JWT) its last part, the part that grants access on its own.
 */
export function secretForms(secret: string): string[] {
  const parts = secret.split('.');
  const last = parts[parts.length - 1];
  return parts.length >= 3 && last.length >= 16 ? [secret, last] : [secret];
}

/** Finds any of many needles (each ≥ MIN_SECRET_LENGTH long) in a line, indexed by their prefix. */
function needleFinder(needles: string[]): (line: string) => boolean {
  const byPrefix = new Map<string, string[]>();
  for (const needle of needles) {
    const prefix = needle.slice(0, MIN_SECRET_LENGTH);
    byPrefix.set(prefix, [...(byPrefix.get(prefix) ?? []), needle]);
  }
  return (line) => {
    for (let i = 0; i + MIN_SECRET_LENGTH <= line.length; i++) {
      const candidates = byPrefix.get(line.slice(i, i + MIN_SECRET_LENGTH));
      if (candidates?.some((needle) => line.startsWith(needle, i))) return true;
    }
    return false;
  };
}

export interface AuditResult {
  sources: number;
  lines: number;
  secrets: number;
  problems: string[];
}

function readLines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

/**
 * Audits one run directory. Problems are described without repeating the secret. Fails closed:
 * a run in which some app or process ran but no log line or no secret was recorded is a problem.
 */
export function auditRunLogs(dir: string): AuditResult {
  const sources = readLines(join(dir, SOURCES));
  const lines = readLines(join(dir, LOGS));
  const secrets = [...new Set(readLines(join(dir, SECRETS)))];
  const leaks = needleFinder([...new Set(secrets.flatMap(secretForms))]);
  const problems: string[] = [];
  if (sources.length > 0 && lines.length === 0)
    problems.push(`${sources.length} log sources ran but no log line was recorded`);
  if (sources.length > 0 && secrets.length === 0)
    problems.push('log sources ran but no secret was recorded: nothing was checked');
  lines.forEach((line, i) => {
    if (JWT.test(line)) problems.push(`log line ${i + 1} contains a JWT`);
    if (BEARER.test(line)) problems.push(`log line ${i + 1} contains a bearer credential`);
    if (EMAIL_TOKEN.test(line)) problems.push(`log line ${i + 1} contains an e-mail link or token`);
    if (AUTHORIZATION.test(line))
      problems.push(`log line ${i + 1} contains an Authorization value`);
    if (leaks(line))
      problems.push(`log line ${i + 1} contains a test password, token or its secret part`);
  });
  return { sources: sources.length, lines: lines.length, secrets: secrets.length, problems };
}
