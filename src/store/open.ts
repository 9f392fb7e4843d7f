import type { Clock } from '../util/clock.js';
import { MemoryStore } from './memory-store.js';
import type { Store } from './types.js';

export interface OpenStoreOptions {
  /** Keep everything in memory; nothing touches disk (`--memory`). */
  memory?: boolean;
  /** The data file; required unless `memory`. */
  path?: string;
  clock?: Clock;
  /** Hold the file's lock until close() (default true). */
  lock?: boolean;
}

/**
 * The one way the rest of dev-op gets a Store. Always close() it (a file store writes in the
 * background). The file store (lowdb, the lock) is loaded only when a file is asked for.
 */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  if (options.memory) return new MemoryStore({ clock: options.clock });
  if (!options.path) throw new TypeError('openStore needs a path, or memory: true');
  const { FileStore } = await import('./file-store.js');
  return FileStore.open(options.path, { clock: options.clock, lock: options.lock });
}
