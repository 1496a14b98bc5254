import pino from 'pino';
import { FORCED_EXIT_GRACE_MS, shutdownWithDeadline, ShutdownTarget } from './graceful-shutdown';

const logger = pino({ level: 'silent' });

/** A target whose close() finishes only once its connections are closed (like server.close()). */
function target(inFlight: number, { closeFinishes = true } = {}) {
  let release: () => void = () => undefined;
  const closed = new Promise<void>((r) => (release = r));
  const t: ShutdownTarget & { connectionsClosed: boolean } = {
    connectionsClosed: false,
    close: () => closed,
    closeAllConnections: () => {
      t.connectionsClosed = true;
      if (closeFinishes) release();
    },
    inFlight: () => inFlight,
  };
  return { t, release };
}

describe('shutdownWithDeadline', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('exits 0 without touching connections when close finishes in time', async () => {
    const { t, release } = target(3);
    const exit = jest.fn();
    const done = shutdownWithDeadline(t, 5_000, logger, exit);
    release();
    await done;
    expect(exit).toHaveBeenCalledWith(0);
    expect(t.connectionsClosed).toBe(false);
  });

  it('closes every connection at the deadline and exits 0 when nothing was in a handler', async () => {
    const { t } = target(0);
    const exit = jest.fn();
    const done = shutdownWithDeadline(t, 5_000, logger, exit);
    await jest.advanceTimersByTimeAsync(4_999);
    expect(t.connectionsClosed).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await done;
    expect(t.connectionsClosed).toBe(true);
    expect(exit).toHaveBeenCalledWith(0);
  });

  it('exits 1 when the deadline cut requests that were in their handlers', async () => {
    const { t } = target(2);
    const exit = jest.fn();
    const done = shutdownWithDeadline(t, 5_000, logger, exit);
    await jest.advanceTimersByTimeAsync(5_000);
    await done;
    expect(exit).toHaveBeenCalledWith(1);
  });

  it('exits anyway shortly after the deadline when close never finishes', async () => {
    const { t } = target(0, { closeFinishes: false });
    const exit = jest.fn();
    void shutdownWithDeadline(t, 5_000, logger, exit);
    await jest.advanceTimersByTimeAsync(5_000 + FORCED_EXIT_GRACE_MS - 1);
    expect(exit).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    expect(exit).toHaveBeenCalledWith(0);
  });

  it('exits 1 when close fails', async () => {
    const exit = jest.fn();
    await shutdownWithDeadline(
      {
        close: () => Promise.reject(new Error('x')),
        closeAllConnections: jest.fn(),
        inFlight: () => 0,
      },
      5_000,
      logger,
      exit,
    );
    expect(exit).toHaveBeenCalledWith(1);
  });
});
