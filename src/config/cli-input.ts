/**
 * One-off inputs of a command-line tool that travel in the environment so they stay off the command
 * line (npm echoes arguments; `ps` shows them). Not service configuration: read only by that CLI.
 */
export function adminPasswordFromEnvironment(): string | undefined {
  const value = process.env.ADMIN_PASSWORD;
  return value ? value : undefined;
}
