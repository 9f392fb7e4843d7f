import { ConfigError } from '../errors/app-errors.js';
import { ed25519KeyFromBytes } from '../keys/generate.js';
import type { StoredKey } from '../store/types.js';
import { createFixedClock, type FixedClock } from '../util/fixed-clock.js';
import { createRandom, type RandomSource } from '../util/random.js';

/** `deterministic: true`, or a seed and a start time (default 2030-01-01T00:00:00Z). */
export type DeterministicOption = boolean | { seed: string; time?: string | number };

const DEFAULT_SEED = 'dev-op';
const DEFAULT_TIME = '2030-01-01T00:00:00Z';

/** What an instance in deterministic mode uses instead of the CSPRNG, the system clock and a new key. */
export interface Determinism {
  seed: string;
  random: RandomSource;
  clock: FixedClock;
  /** The signing key a store without keys gets: Ed25519 from the seed, the same on every run. */
  signingKey: StoredKey;
}

/**
 * Deterministic mode (snapshot tests): ids from a seeded stream, a clock that stands at `time` until
 * advanced, and a signing key derived from the seed, so the same requests give byte-identical
 * tokens in every run. NOT secure: anyone who knows the seed can predict every code and token id.
 */
export function determinism(option: DeterministicOption | undefined): Determinism | undefined {
  if (!option) return undefined;
  const { seed, time } = option === true ? { seed: DEFAULT_SEED, time: undefined } : option;
  if (typeof seed !== 'string' || seed === '') throw new ConfigError('deterministic.seed must be a non-empty string');
  const start = typeof time === 'number' ? time : Date.parse(time ?? DEFAULT_TIME);
  if (!Number.isFinite(start)) throw new ConfigError(`deterministic.time ${String(time)} is not a date; use e.g. ${DEFAULT_TIME} or epoch milliseconds`);
  const clock = createFixedClock(start);
  // The key has its own stream, so ids do not depend on whether the store already had a key.
  const signingKey = ed25519KeyFromBytes(createRandom(`${seed}/signing-key`).bytes(32), new Date(start));
  return { seed, random: createRandom(seed), clock, signingKey };
}
