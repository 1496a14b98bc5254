import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
// Used only inside the function, so the import cycle with load-config is harmless.
import { ConfigError } from './load-config';

let applied = false;

/**
 * Reads `.env` from the working directory (ENV_FILE names another file; ENV_FILE=none reads none) and
 * sets each variable the real environment does not: a variable set in the environment always wins. Runs
 * once per process. Under NODE_ENV=test only a file named by ENV_FILE is read, so a developer's `.env`
 * never leaks into the tests.
 */
export function applyEnvFile(): void {
  if (applied) return;
  applied = true;
  readEnvFileInto(process.env);
}

/** applyEnvFile's work on any environment object (tests). */
export function readEnvFileInto(env: NodeJS.ProcessEnv): void {
  const named = env.ENV_FILE?.trim();
  if (named === 'none' || (!named && env.NODE_ENV === 'test')) return;
  const file = resolve(named || '.env');
  if (!existsSync(file)) {
    if (named) throw new ConfigError('ENV_FILE', `names a file that does not exist (${file})`);
    return;
  }
  const values = parseEnv(readFileSync(file, 'utf8'));
  for (const [key, value] of Object.entries(values)) {
    if (env[key] === undefined) env[key] = value;
  }
}
