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
/** Milliseconds since the epoch, like `Date.now`. Injected where a rule depends on the time. */
export type NowMs = () => number;

/** The clock as a function: bound to `Clock.now` in the app; adapters built by hand default to `Date.now`. */
export const CLOCK = Symbol('CLOCK');
