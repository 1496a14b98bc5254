import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A log audit over the whole e2e run: every app's log lines and every secret the test helpers
 * create (passwords, access and refresh tokens, e-mail links and their tokens) are appended to two files; the global teardown
 * fails the run if any secret, bearer token or JWT shows up in any log line.
 */
const DIR = join(__dirname, '..', '..', '.cache', 'test-run');
const LOGS = join(DIR, 'app-logs.jsonl');
const SECRETS = join(DIR, 'secrets.txt');
const JWT = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/;
const BEARER = /bearer\s+\S{8,}/i;
/** An account link (verification, reset) or an e-mail token `<user_id>.<256-bit secret>`. */
const EMAIL_TOKEN = /#token=|\b[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}\.[A-Za-z0-9_-]{43}\b/;

export function resetRunAudit(): void {
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
}

export function recordLogLines(lines: string[]): void {
  if (lines.length > 0 && existsSync(DIR)) appendFileSync(LOGS, lines.join('\n') + '\n');
}

export function recordSecrets(...secrets: Array<string | undefined>): void {
  const real = secrets.filter((s): s is string => typeof s === 'string' && s.length >= 8);
  if (real.length > 0 && existsSync(DIR)) appendFileSync(SECRETS, real.join('\n') + '\n');
}

/** Problems found in the run's logs (empty when clean), described without repeating the secret. */
export function auditRunLogs(): { lines: number; secrets: number; problems: string[] } {
  const lines = existsSync(LOGS) ? readFileSync(LOGS, 'utf8').split('\n').filter(Boolean) : [];
  const secrets = existsSync(SECRETS)
    ? [...new Set(readFileSync(SECRETS, 'utf8').split('\n').filter(Boolean))]
    : [];
  const problems: string[] = [];
  lines.forEach((line, i) => {
    if (JWT.test(line)) problems.push(`log line ${i + 1} contains a JWT`);
    if (BEARER.test(line)) problems.push(`log line ${i + 1} contains a bearer credential`);
    if (EMAIL_TOKEN.test(line)) problems.push(`log line ${i + 1} contains an e-mail link or token`);
    if (/"authorization"\s*:\s*"(?!\[redacted\])/i.test(line))
      problems.push(`log line ${i + 1} contains an Authorization value`);
    for (const secret of secrets) {
      if (line.includes(secret))
        problems.push(`log line ${i + 1} contains a test password or token`);
    }
  });
  return { lines: lines.length, secrets: secrets.length, problems };
}
