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
 * A clock skew (`--clock-skew`): a duration ahead ("5m", "+30s") or behind ("-5m"), or signed
 * milliseconds; at most a year either way.
 */
export function clockSkewMs(skew: string | number): number {
  const match = typeof skew === 'string' ? /^([+-]?)(\d+)(ms|s|m|h|d)$/.exec(skew.trim()) : null;
  const ms = typeof skew === 'number' ? skew : match ? (match[1] === '-' ? -1 : 1) * Number(match[2]) * UNIT_MS[match[3]!]! : NaN;
  if (!Number.isInteger(ms) || Math.abs(ms) > 365 * UNIT_MS.d!) {
    throw new UsageError(`--clock-skew ${String(skew)}: use a duration ahead or behind the system clock, such as 5m, -30s or 2h`);
  }
  return ms;
}

/**
 * One clock per instance, passed to its provider and store. It follows `base` (the system clock
 * unless the caller gave one) plus `skewMs` until first moved: `advance` adds to the offset of a
 * running clock (or to a pinned one), `set` pins it.
 */
export function createDevClock(base: Clock = systemClock, skewMs = 0): DevClock {
  let offset = skewMs;
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
