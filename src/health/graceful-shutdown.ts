import type { Logger } from '../common/logging/logger';

/** After the deadline has closed every connection, how long the rest of shutdown may still take. */
export const FORCED_EXIT_GRACE_MS = 1_000;

export interface ShutdownTarget {
  /** Nest's app.close(): drain, stop accepting, wait for connections, run shutdown hooks. */
  close(): Promise<void>;
  /** Destroys every remaining connection (http.Server#closeAllConnections). */
  closeAllConnections(): void;
  /** Requests in their handler right now. */
  inFlight(): number;
}

/**
 * Shuts down with a deadline: `target.close()` is given `timeoutMs` (counted from the signal); then
 * every remaining connection is closed, and `exit` is called at the latest FORCED_EXIT_GRACE_MS
 * later. The exit code is 1 only if requests were still in their handlers when the deadline cut them
 * (or close failed); stalled uploads and idle connections cut at the deadline are a clean exit.
 */
export async function shutdownWithDeadline(
  target: ShutdownTarget,
  timeoutMs: number,
  logger: Logger,
  exit: (code: number) => void,
): Promise<void> {
  let cut = false;
  let forced: NodeJS.Timeout | undefined;
  const deadline = setTimeout(() => {
    const inFlight = target.inFlight();
    cut = inFlight > 0;
    logger.warn(
      { in_flight: inFlight },
      'shutdown deadline reached: closing remaining connections',
    );
    target.closeAllConnections();
    forced = setTimeout(() => {
      logger.error('shutdown did not finish after the deadline: exiting');
      exit(cut ? 1 : 0);
    }, FORCED_EXIT_GRACE_MS);
  }, timeoutMs);
  let code: number;
  try {
    await target.close();
    code = cut ? 1 : 0;
  } catch (err) {
    logger.error({ err }, 'shutdown failed');
    code = 1;
  }
  clearTimeout(deadline);
  clearTimeout(forced);
  exit(code);
}
