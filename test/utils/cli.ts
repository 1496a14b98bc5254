import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { recordLogSource, recordOutput, recordSecrets } from './run-audit';

const REPO = join(__dirname, '..', '..');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** The last stdout line is the credential the CLI exists to print (token:service). */
  printsSecret?: boolean;
  timeoutMs?: number;
}

/**
 * Runs a CLI entry point from source, as its npm script runs it from dist/, logging at debug unless
 * told otherwise. Its output goes to the run's log audit; a printed credential is recorded as a
 * secret instead, so it must appear nowhere else.
 */
export function runCli(
  entry: string,
  args: string[],
  env: Record<string, string>,
  { printsSecret = false, timeoutMs = 60_000 }: CliOptions = {},
): Promise<CliRun> {
  recordLogSource(`cli ${entry}`);
  const password = args.indexOf('--password');
  if (password >= 0) recordSecrets(args[password + 1]);
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', join(REPO, entry), ...args],
      {
        cwd: REPO,
        env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'debug', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: timeoutMs,
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => {
      const lines = stdout.trimEnd().split('\n');
      if (printsSecret && code === 0) recordSecrets(lines.pop());
      recordOutput(lines.join('\n'));
      recordOutput(stderr);
      resolve({ code, stdout, stderr });
    });
  });
}
