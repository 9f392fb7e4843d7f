import type { Clock } from './clock.js';

/** A clock that stands still until moved: deterministic mode's time, and expiry tests'. */
export interface FixedClock extends Clock {
  /** Move time forward by `ms` milliseconds. */
  advance(ms: number): void;
}

export function createFixedClock(startMs: number): FixedClock {
  let now = startMs;
  return {
    now: () => now,
    advance(ms) {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError('a clock only moves forward, by a finite number of milliseconds');
      now += ms;
    },
  };
}
