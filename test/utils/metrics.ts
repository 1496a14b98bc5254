/**
 * The value of one Prometheus sample in an exposition text, e.g.
 * `metricValue(text, 'auth_events_total{event="login",result="success"}')`; 0 when the series has
 * not been written yet (a counter that never moved). Counters are asserted as before/after deltas.
 */
export function metricValue(text: string, series: string): number {
  const escaped = series.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`^${escaped} (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : 0;
}
