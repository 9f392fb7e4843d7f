import { UsageError } from '../errors/app-errors.js';
import { systemClock, type Clock } from '../util/clock.js';

/** The instance's clock as a test moves it: `advance('1h')` for expiry tests, `set(date)` to pin it. */
export interface DevClock extends Clock {
  /** Move time forward by a lifetime ("30s", "15m", "1h", "2d") or milliseconds. */
  advance(by: string | number): void;
  /** Pin the clock at `to`: time stands still there until the next set or advance. */
  set(to: Date | number): void;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function milliseconds(by: string | number): number {
  if (typeof by === 'number' && Number.isFinite(by) && by >= 0) return by;
  const match = typeof by === 'string' ? /^(\d+)(ms|s|m|h|d)$/.exec(by.trim()) : null;
  if (!match) throw new UsageError(`clock.advance(${JSON.stringify(by)}): use a duration such as 30s, 15m, 1h or 2d, or milliseconds`);
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}

/**
 * One clock per instance, passed to its provider and store. It follows `base` (the system clock
 * unless the caller gave one) until first moved: `advance` adds an offset to a running clock (or
 * to a pinned one), `set` pins it.
 */
export function createDevClock(base: Clock = systemClock): DevClock {
  let offset = 0;
  let pinned: number | undefined;
  return {
    now: () => pinned ?? base.now() + offset,
    advance(by) {
      const ms = milliseconds(by);
      if (pinned === undefined) offset += ms;
      else pinned += ms;
    },
    set(to) {
      const ms = to instanceof Date ? to.getTime() : to;
      if (!Number.isFinite(ms)) throw new UsageError('clock.set: not a valid date');
      pinned = ms;
    },
  };
}
