/**
 * A clock that moves only when told. Starts at the real time, so TTL attributes written against it
 * are in the future for DynamoDB Local too (it deletes expired items on its own).
 */
export class ManualClock {
  private ms: number;

  constructor(startMs = Date.now()) {
    this.ms = startMs;
  }

  readonly nowMs = (): number => this.ms;

  nowSeconds(): number {
    return Math.floor(this.ms / 1000);
  }

  date(): Date {
    return new Date(this.ms);
  }

  advance(ms: number): void {
    this.ms += ms;
  }

  advanceSeconds(seconds: number): void {
    this.ms += seconds * 1000;
  }

  set(ms: number): void {
    this.ms = ms;
  }
}
