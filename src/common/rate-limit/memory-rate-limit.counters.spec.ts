import { MemoryRateLimitCounters } from './memory-rate-limit.counters';

const WINDOW = 60_000;

function counters(startMs = 1_000_000) {
  const clock = { now: startMs };
  const storage = new MemoryRateLimitCounters(() => clock.now);
  const hit = (key = 'rl:default:ip', limit = 3, block = WINDOW) =>
    storage.increment(key, WINDOW, limit, block, 'default');
  return { clock, storage, hit };
}

describe('MemoryRateLimitCounters (fixed window, the Redis backend’s semantics)', () => {
  it('counts hits in one window and blocks the first hit over the limit, for the block duration', async () => {
    const { clock, hit } = counters();
    expect(await hit()).toEqual({
      totalHits: 1,
      timeToExpire: 60,
      isBlocked: false,
      timeToBlockExpire: 0,
    });
    clock.now += 10_000;
    expect(await hit()).toMatchObject({ totalHits: 2, timeToExpire: 50, isBlocked: false });
    expect(await hit()).toMatchObject({ totalHits: 3, isBlocked: false });
    clock.now += 500;
    expect(await hit()).toEqual({
      totalHits: 4,
      timeToExpire: 50,
      isBlocked: true,
      timeToBlockExpire: 60,
    });
    clock.now += 30_000;
    expect(await hit()).toMatchObject({ totalHits: 5, isBlocked: true, timeToBlockExpire: 30 });
  });

  it('opens a fresh window after the window ends, and after a block ends (1 hit, not blocked)', async () => {
    const { clock, hit } = counters();
    await hit();
    await hit();
    clock.now += WINDOW;
    expect(await hit()).toMatchObject({ totalHits: 1, timeToExpire: 60, isBlocked: false });

    for (let i = 0; i < 3; i++) await hit();
    expect(await hit()).toMatchObject({ isBlocked: true });
    clock.now += WINDOW - 1;
    expect(await hit()).toMatchObject({ isBlocked: true, timeToBlockExpire: 1 });
    clock.now += 1;
    expect(await hit()).toEqual({
      totalHits: 1,
      timeToExpire: 60,
      isBlocked: false,
      timeToBlockExpire: 0,
    });
  });

  it('keeps keys and limit names apart', async () => {
    const { storage, hit } = counters();
    for (let i = 0; i < 4; i++) await hit('a', 3);
    expect(await hit('a', 3)).toMatchObject({ isBlocked: true });
    expect(await hit('b', 3)).toMatchObject({ totalHits: 1, isBlocked: false });
    expect(await storage.increment('a', WINDOW, 3, WINDOW, 'auth')).toMatchObject({
      totalHits: 1,
      isBlocked: false,
    });
  });

  it('costs the same per hit however many hits the window holds (no per-hit list)', async () => {
    const { storage, hit } = counters();
    for (let i = 0; i < 50_000; i++) await hit('busy', 1_000_000);
    expect(await hit('busy', 1_000_000)).toMatchObject({ totalHits: 50_001 });
    expect(storage.size).toBe(1);
  });

  it('forgets expired windows on the next sweep, and keeps live ones and running blocks', async () => {
    const { clock, storage, hit } = counters();
    await hit('expired');
    for (let i = 0; i < 4; i++) await hit('blocked', 3, 5 * WINDOW);
    clock.now += WINDOW - 1;
    await hit('live');
    expect(storage.size).toBe(3);
    clock.now += 1;
    await hit('live');
    // The sweep is due: "expired" is gone; "blocked" is still blocked; "live" is in its window.
    expect(storage.size).toBe(2);
    expect(await hit('blocked', 3, 5 * WINDOW)).toMatchObject({ isBlocked: true });
  });

  it('answers incrementNow like increment, sharing the same windows', async () => {
    const { storage, hit } = counters();
    await hit('k', 2);
    expect(storage.incrementNow('k', WINDOW, 2, WINDOW, 'default')).toMatchObject({
      totalHits: 2,
      isBlocked: false,
    });
    expect(storage.incrementNow('k', WINDOW, 2, WINDOW, 'default')).toMatchObject({
      totalHits: 3,
      isBlocked: true,
    });
    expect(await hit('k', 2)).toMatchObject({ totalHits: 4, isBlocked: true });
  });
});
