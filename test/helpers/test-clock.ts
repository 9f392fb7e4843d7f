import type { Clock } from '../../src/util/clock.js';

/** A clock tests move by hand, so expiry is tested without sleeping. */
export class TestClock implements Clock {
  /** Milliseconds since the epoch; set it directly or use advance(). */
  ms: number;

  constructor(start = Date.UTC(2030, 0, 1)) {
    this.ms = start;
  }

  now(): number {
    return this.ms;
  }

  /** Whole seconds since the epoch, the unit of `exp`. */
  seconds(): number {
    return Math.floor(this.ms / 1000);
  }

  advance(ms: number): void {
    this.ms += ms;
  }
}
