/**
 * The time source for rules that depend on the calendar (the UTC day of the daily limits).
 * Production uses the system clock; tests hand `createApp` another one to put a request on either
 * side of midnight without waiting for it.
 */
export abstract class Clock {
  /** Milliseconds since the epoch, like Date.now(). */
  abstract now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
