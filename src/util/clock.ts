/** Time source, injectable so tests can move time without sleeping. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** Whole seconds since the epoch, the unit of every `exp`/`iat` in dev-op. */
export function epochSeconds(clock: Clock): number {
  return Math.floor(clock.now() / 1000);
}
