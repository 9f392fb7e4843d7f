import type { Clock } from '../util/clock.js';
import { FileStore } from './file-store.js';
import { MemoryStore } from './memory-store.js';
import type { Store } from './types.js';

export * from './types.js';
export { emptyData } from './empty-data.js';
export { migrate } from './migrations.js';
export { MemoryStore, type MemoryStoreOptions } from './memory-store.js';
export { FileStore, type FileStoreOptions } from './file-store.js';
export { acquireDataLock, readOwner, writeOwner, ownerPath, DataLockedError, type DataOwner } from './lock.js';

export interface OpenStoreOptions {
  /** Keep everything in memory; nothing touches disk (`--memory`). */
  memory?: boolean;
  /** The data file; required unless `memory`. */
  path?: string;
  clock?: Clock;
  /** Hold the file's lock until close() (default true). */
  lock?: boolean;
}

/** The one way the rest of dev-op gets a Store. Always close() it (a file store writes in the background). */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  if (options.memory) return new MemoryStore({ clock: options.clock });
  if (!options.path) throw new TypeError('openStore needs a path, or memory: true');
  return FileStore.open(options.path, { clock: options.clock, lock: options.lock });
}
