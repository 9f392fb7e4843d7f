import { openStore } from '../store/open.js';
import { DEFAULT_STORE_PREFIX, redacted } from '../store/redis-address.js';
import type { Store } from '../store/types.js';
import type { Clock } from '../util/clock.js';
import { acquireDataLock } from './data-lock.js';

export interface DataStoreOptions {
  /** Keep everything in memory; nothing touches disk (`--memory`). */
  memory?: boolean;
  /** The data file; required unless `memory`. */
  path?: string;
  clock?: Clock;
  /** Wait up to this many ms for a lock another process holds (default 0: fail at once). */
  lockWaitMs?: number;
  /** A shared store instead of a file (`--store redis://…`): no lock, several processes at once. */
  store?: SharedStoreOption;
}

/** `--store` and `--store-prefix`. */
export interface SharedStoreOption {
  url: string;
  prefix?: string;
}

/** A shared store as banners name it: its URL without the password, and the prefix. */
export function sharedStoreLocation(shared: SharedStoreOption): string {
  return `${redacted(shared.url)} (prefix ${shared.prefix ?? DEFAULT_STORE_PREFIX})`;
}

/**
 * The way dev-op opens its data: a data file under its lock (exactly one writer at a time; the
 * owner file names this process), held until close(). A lock held elsewhere is a DataLockedError
 * naming the holder. The store (below app) knows no lock: it is handed the release.
 */
export async function openDataStore(options: DataStoreOptions): Promise<Store> {
  if (options.memory) return openStore({ memory: true, clock: options.clock });
  if (options.store) {
    const { redisAddress } = await import('../store/redis-address.js');
    return openStore({ redis: redisAddress(options.store.url, options.store.prefix), clock: options.clock });
  }
  if (!options.path) throw new TypeError('openDataStore needs a path, or memory: true');
  const release = await acquireDataLock(options.path, { waitMs: options.lockWaitMs });
  return openStore({ path: options.path, clock: options.clock, release });
}
