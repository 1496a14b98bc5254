/**
 * `new Date(ms).toISOString()`, computed once per millisecond: the access-log line and the liveness
 * body ask for it on every request, and at thousands of requests per second most asks fall in the
 * same millisecond as the previous one.
 */
let cachedMs = Number.NaN;
let cachedIso = '';

export function isoNow(ms: number = Date.now()): string {
  if (ms !== cachedMs) {
    cachedIso = new Date(ms).toISOString();
    cachedMs = ms;
  }
  return cachedIso;
}
