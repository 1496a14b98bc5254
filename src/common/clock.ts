/** Milliseconds since the epoch, like `Date.now`. Injected where a rule depends on the time. */
export type NowMs = () => number;

/** Optional provider: tests bind a manual clock; unbound, classes default to `Date.now`. */
export const CLOCK = Symbol('CLOCK');
