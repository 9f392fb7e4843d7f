import type { Clock } from '../util/clock.js';
import { MemoryStore } from './memory-store.js';
import type { RedisAddress } from './redis-address.js';
import type { Store } from './types.js';

export type OpenStoreOptions =
  /** Keep everything in memory; nothing touches disk (`--memory`). */
  | { memory: true; clock?: Clock }
  /** Shared by several processes in Redis (`--store redis://…`); no file, no lock. */
  | { memory?: false; redis: RedisAddress; clock?: Clock }
  | {
      memory?: false;
      /** The data file. */
      path: string;
      clock?: Clock;
      /**
       * Releases the file's lock, taken by the caller (app's openDataStore does both); required, so
       * that no caller opens a file unlocked by forgetting it: `undefined` says "no lock" on purpose.
       */
      release: (() => Promise<void>) | undefined;
    };

/**
 * A Store by options. Always close() it (a file store writes in the background). The file store
 * (lowdb) and the Redis store (ioredis) are loaded only when asked for.
 */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  if (options.memory) return new MemoryStore({ clock: options.clock });
  // ioredis is loaded only for a Redis store: a file or memory start does not pay for it.
  if ('redis' in options) return (await import('./redis-store.js')).RedisStore.connect(options.redis, { clock: options.clock });
  const { FileStore } = await import('./file-store.js');
  return FileStore.open(options.path, { clock: options.clock, release: options.release });
}
