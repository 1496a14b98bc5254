import { isoNow } from './iso-now';

describe('isoNow', () => {
  it('is toISOString of the millisecond asked for, also when asked again or for another one', () => {
    for (const ms of [0, 1_796_100_000_000, 1_796_100_000_000, 1_796_100_000_001, 999]) {
      expect(isoNow(ms)).toBe(new Date(ms).toISOString());
    }
  });

  it('defaults to now', () => {
    const before = Date.now();
    const at = Date.parse(isoNow());
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(Date.now());
  });
});
