/** `--name value` and `--name=value` pairs; anything else is an error. */
export function parseArgs(
  argv: readonly string[],
  allowed: readonly string[],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const match = /^--([a-z][a-z-]*)(?:=(.*))?$/.exec(arg);
    if (!match) throw new UsageError(`Unexpected argument "${arg}".`);
    const [, name, inline] = match;
    if (!allowed.includes(name)) throw new UsageError(`Unknown option --${name}.`);
    const value = inline ?? argv[++i];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) {
      throw new UsageError(`Option --${name} needs a value.`);
    }
    out[name] = value;
  }
  return out;
}

export class UsageError extends Error {}

/** Runs a CLI main: prints errors as one line on stderr and sets the exit code. */
export function runCli(usage: string, main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      if (err instanceof UsageError) console.error(`${err.message}\nUsage: ${usage}`);
      else console.error(err instanceof Error ? err.message : String(err));
      process.exit(1);
    },
  );
}
